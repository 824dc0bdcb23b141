"""The customer simulator: act as a WhatsApp customer of a sandbox account, through the real webhook.

Every signed-in user may use it (app/web/access.py), in every configuration. A browser session plays
only the customer numbers the simulator gave it, and sees only those numbers' conversations.
"""

from flask import Blueprint, jsonify

from app.services.errors import ServiceError

bp = Blueprint("simulator", __name__, url_prefix="/simulator")


@bp.errorhandler(ServiceError)
def _service_error(exc):
    return jsonify(error=exc.to_dict()), exc.status


from app.blueprints.simulator import routes  # noqa: E402,F401
