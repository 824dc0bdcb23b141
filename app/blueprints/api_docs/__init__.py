"""A readable page about the REST API, rendered from its OpenAPI document."""

from flask import Blueprint

bp = Blueprint("api_docs", __name__, url_prefix="/api-docs")

from app.blueprints.api_docs import routes  # noqa: E402,F401
