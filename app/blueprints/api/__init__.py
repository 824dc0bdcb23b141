"""REST API v1 (JSON only): Bearer tokens, the same services as the pages, errors as
{"error": {"code", "message", "fields"}}. The blueprint authenticates itself (see app.web.access)."""

from flask import Blueprint, g, jsonify, request
from flask_login import current_user

from app.extensions import csrf
from app.services.errors import ServiceError
from app.services.people import api_tokens

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.before_request
def authenticate():
    """A Bearer token (integrations), or the browser's signed-in session with its CSRF token
    (the desktop and list pages call the same API)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        try:
            user = api_tokens.authenticate(token.strip(), request.method)
        except api_tokens.TokenRefused as exc:
            return _unauthorized(exc.message)
    elif current_user.is_authenticated:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            csrf.protect()
        user = current_user.doc
    else:
        user = None
    if user is None:
        return _unauthorized("Send a valid API token: Authorization: Bearer <token>.")
    g.api_user = user
    return None


def _unauthorized(message):
    response = jsonify(error={"code": "unauthorized", "message": message})
    response.headers["WWW-Authenticate"] = 'Bearer realm="parley"'
    return response, 401


def json_body(required=True):
    """The request's JSON object. An action whose fields are all optional may be sent without a body."""
    data = request.get_json(silent=True)
    if data is None and not required:
        return {}
    if not isinstance(data, dict):
        raise ServiceError("Send a JSON object with Content-Type: application/json.")
    return data


from app.blueprints.api import assistant, campaigns, interactions, personal_data, reports, routes  # noqa: E402,F401
