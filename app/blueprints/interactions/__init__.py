"""The interactions list for every signed-in user (agents see their queues', admins all):
filters and search in the URL, the Show page, ZIP export, close and reopen, new outbound."""

from flask import Blueprint

from app.services.reading.interaction_list import iso, when

bp = Blueprint("interactions", __name__, url_prefix="/interactions")
bp.add_app_template_filter(when, "when")
bp.add_app_template_filter(iso, "iso")

from app.blueprints.interactions import routes  # noqa: E402,F401
