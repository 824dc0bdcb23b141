"""Contact list administration (admins only): lists, CSV import and export, deleting contacts."""

from flask import Blueprint

from app.web.access import admin_only

bp = Blueprint("contact_lists", __name__, url_prefix="/admin/contact-lists")
bp.before_request(admin_only)

from app.blueprints.contact_lists import routes  # noqa: E402,F401
