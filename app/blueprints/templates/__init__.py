"""Message template pages: WhatsApp components, flags, and a live preview as a WhatsApp bubble."""

from flask import Blueprint

from app.web.access import admin_only

bp = Blueprint("templates", __name__, url_prefix="/admin/templates")
bp.before_request(admin_only)

from app.blueprints.templates import routes  # noqa: E402,F401
