"""Who may reach what: every route needs a signed-in user unless it is listed as public here.

Closed by default, so a new route cannot be left open by mistake (a test walks the url_map).
Blueprints that authenticate by other means (webhook signatures, API tokens) are named here too.
"""

from flask import abort, jsonify, redirect, request, url_for
from flask_login import current_user

PUBLIC_ENDPOINTS = {"auth.login", "static", "operations.healthz", "operations.readyz"}
# /metrics checks its bearer token (app/blueprints/operations/routes.py).
SELF_AUTHENTICATED_BLUEPRINTS = {"webhooks", "api", "operations"}


def wants_json():
    if request.path.startswith(("/api/", "/webhooks/")):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def require_login():
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.blueprint in SELF_AUTHENTICATED_BLUEPRINTS:
        return None
    if current_user.is_authenticated:
        return None
    if wants_json():
        return jsonify(error={"code": "unauthorized", "message": "Sign in first."}), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def admin_only():
    """A blueprint's before_request hook: 403 for signed-in users who are not admins."""
    if current_user.is_authenticated and not current_user.is_admin:
        abort(403)


def init_app(app):
    app.before_request(require_login)
