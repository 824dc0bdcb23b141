"""The supervisors' live dashboard (admins only): counters per queue, today's figures, lag, backlog."""

from flask import Blueprint

from app.services.reporting.dashboard import duration, handoff_trigger
from app.web.access import admin_only

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
bp.before_request(admin_only)
bp.add_app_template_filter(duration, "duration")
bp.add_app_template_filter(handoff_trigger, "handoff_trigger")

from app.blueprints.dashboard import routes  # noqa: E402,F401
