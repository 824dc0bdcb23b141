"""The supervisors' live dashboard (admins only): counters per queue, today's figures, lag, backlog."""

from flask import Blueprint

from app.services.reporting.dashboard import duration
from app.web.access import admin_only

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
bp.before_request(admin_only)
bp.add_app_template_filter(duration, "duration")

from app.blueprints.dashboard import routes  # noqa: E402,F401
