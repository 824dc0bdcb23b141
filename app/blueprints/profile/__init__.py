"""The signed-in user's profile: who they are and their personal API tokens."""

from flask import Blueprint

bp = Blueprint("profile", __name__, url_prefix="/profile")

from app.blueprints.profile import routes  # noqa: E402,F401
