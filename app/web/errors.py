"""One error handler: JSON for API and webhook clients, an HTML page for people."""

from flask import jsonify, make_response, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.services.errors import ServiceError
from app.web.access import wants_json


def _respond(status, code, message, fields=None):
    if wants_json():
        body = {"code": code, "message": message}
        if fields:
            body["fields"] = fields
        return jsonify(error=body), status
    return render_template("errors/error.html", status=status, message=message), status


def handle_http(exc):
    if exc.code in (301, 302, 303, 307, 308) or exc.code is None:
        return exc
    code = (exc.name or "error").lower().replace(" ", "_")
    response = make_response(_respond(exc.code, code, exc.description or exc.name))
    # The error's own headers (Allow on a 405, WWW-Authenticate, Retry-After) belong on our answer too.
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_csrf(exc):
    return _respond(400, "csrf_failed", "The form expired or was not sent from Parley. Reload the page and try again.")


def handle_rate_limit(exc):
    if getattr(exc, "response", None) is not None:  # a page that already says how long to wait
        return exc.response
    return _respond(429, "too_many_requests", "Too many attempts. Wait a few minutes and try again.")


def handle_service_error(exc):
    return _respond(exc.status, exc.code, exc.message, exc.fields)


def init_app(app):
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(429, handle_rate_limit)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(ServiceError, handle_service_error)
