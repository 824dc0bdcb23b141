"""Campaigns (admins only): the list, a new campaign, and one campaign with its progress and recipients."""

from flask import Blueprint

from app.web.access import admin_only

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")
bp.before_request(admin_only)

from app.blueprints.campaigns import routes  # noqa: E402,F401
