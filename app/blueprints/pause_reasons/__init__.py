"""Pause reason pages: why agents may be Paused (break, lunch, training, after-call work)."""

from flask import Blueprint

from app.web.access import admin_only

bp = Blueprint("pause_reasons", __name__, url_prefix="/admin/pause-reasons")
bp.before_request(admin_only)

from app.blueprints.pause_reasons import routes  # noqa: E402,F401
