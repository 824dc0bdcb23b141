"""Contacts pages: agents read and edit contacts; admins also delete, manage lists, import and export CSV."""

from flask import Blueprint

bp = Blueprint("contacts", __name__, url_prefix="/contacts")

from app.blueprints.contacts import routes  # noqa: E402,F401
