"""Attachments for signed-in users: download what they may see, upload what they will send, retry a failed fetch."""

from flask import Blueprint, jsonify

from app.services.errors import ServiceError

bp = Blueprint("media", __name__, url_prefix="/media")


@bp.errorhandler(ServiceError)
def _service_error(exc):
    """JSON whatever the Accept header: only the desktop's scripts call the POST endpoints."""
    return jsonify(error=exc.to_dict()), exc.status


from app.blueprints.media import routes  # noqa: E402,F401
