"""Queue pages: name, description and member agents."""

from flask import Blueprint

from app.web.access import admin_only

bp = Blueprint("queues", __name__, url_prefix="/admin/queues")
bp.before_request(admin_only)

from app.blueprints.queues import routes  # noqa: E402,F401
