"""Disposition pages: the outcomes agents pick when closing a conversation."""

from flask import Blueprint

from app.web.access import admin_only

bp = Blueprint("dispositions", __name__, url_prefix="/admin/dispositions")
bp.before_request(admin_only)

from app.blueprints.dispositions import routes  # noqa: E402,F401
