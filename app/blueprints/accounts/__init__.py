"""WhatsApp account pages: provider credentials, webhook URL, settings, and 'Sync from Meta'."""

from flask import Blueprint

from app.web.access import admin_only

bp = Blueprint("accounts", __name__, url_prefix="/admin/accounts")
bp.before_request(admin_only)

from app.blueprints.accounts import routes  # noqa: E402,F401
