"""Agent (user) pages: create, edit, reset passwords, deactivate (which signs the user out)."""

from flask import Blueprint

from app.web.access import admin_only

bp = Blueprint("agents", __name__, url_prefix="/admin/agents")
bp.before_request(admin_only)

from app.blueprints.agents import routes  # noqa: E402,F401
