"""Canned answer pages: title, text with placeholders, the queues they are offered in."""

from flask import Blueprint

from app.web.access import admin_only

bp = Blueprint("canned_answers", __name__, url_prefix="/admin/canned-answers")
bp.before_request(admin_only)

from app.blueprints.canned_answers import routes  # noqa: E402,F401
