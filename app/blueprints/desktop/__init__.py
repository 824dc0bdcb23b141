"""The agent desktop."""

from flask import Blueprint

bp = Blueprint("desktop", __name__, url_prefix="/desktop")

from app.blueprints.desktop import routes  # noqa: E402,F401
