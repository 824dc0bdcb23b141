"""The customer simulator: act as a WhatsApp customer of a sandbox account, through the real webhook.

Admins only, except in development mode, where app/access.py lets anyone in (so trying Parley
needs no sign-in); the guard below follows the same rule, so the two never disagree.
"""

from flask import Blueprint, jsonify

from app.access import _simulator_is_public, admin_only
from app.services.errors import ServiceError

bp = Blueprint("simulator", __name__, url_prefix="/simulator")


@bp.before_request
def _guard():
    if not _simulator_is_public():
        admin_only()


@bp.errorhandler(ServiceError)
def _service_error(exc):
    return jsonify(error=exc.to_dict()), exc.status


from app.blueprints.simulator import routes  # noqa: E402,F401
