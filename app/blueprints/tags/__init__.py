"""Tag pages: named colours agents put on conversations."""

from flask import Blueprint

from app.web.access import admin_only

bp = Blueprint("tags", __name__, url_prefix="/admin/tags")
bp.before_request(admin_only)

from app.blueprints.tags import routes  # noqa: E402,F401
