"""Contacts pages for every signed-in user: search, create, edit (admins delete them from contact_lists)."""

from flask import Blueprint

bp = Blueprint("contacts", __name__, url_prefix="/contacts")

from app.blueprints.contacts import routes  # noqa: E402,F401
