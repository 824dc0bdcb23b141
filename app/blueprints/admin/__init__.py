"""The admin area's home; every page under /admin is for admins only."""

from flask import Blueprint

from app.web.access import admin_only

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(admin_only)

from app.blueprints.admin import routes  # noqa: E402,F401
