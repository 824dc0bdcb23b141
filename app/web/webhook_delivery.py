"""Webhook deliveries: one `deliver` for the route and for the fast path below Flask.

Providers POST every customer message and status to /webhooks/whatsapp/<key>, the one route called
at volume. There Flask's request context, routing, hooks and response handling cost about as much
as the delivery's own work (measured by bench/inbound_http.py), so `WebhookFastPath` answers such
a POST below Flask, with `deliver` and the app context pushed as for any request (database, Redis
and settings are the app's). The route in app/blueprints/webhooks/routes.py answers the rest with
the same `deliver`: verification handshakes, and every delivery while a request-wide rate limit is
set (Flask-Limiter's to apply). Errors answer as app/web/errors.py does for webhook clients: JSON.
"""

import json
import logging
import time

from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request

from app.extensions import limiter
from app.observability import logs, metrics
from app.providers import WebhookRequest
from app.services.channel import accounts, webhooks
from app.web.headers import SECURITY_HEADERS
from app.web.urls import current_url

log = logging.getLogger(__name__)

PREFIX = accounts.WEBHOOK_PATH


class WebhookFastPath:
    """WSGI middleware: a POST to PREFIX<key> is delivered here, anything else goes on to `wsgi_app`."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        key = path[len(PREFIX) :] if path.startswith(PREFIX) else ""
        if environ.get("REQUEST_METHOD") != "POST" or not key or "/" in key or limiter.request_wide_limits():
            return self.wsgi_app(environ, start_response)
        with self.app.app_context():
            request = Request(environ)
            public = self.app.config.get("PARLEY_PUBLIC_URL")
            status, body, mimetype = deliver(
                request,
                key,
                (public or current_url(request.scheme, request.host)).rstrip("/"),
                signed_url(request, public),
            )
        start_response(
            f"{status} {HTTP_STATUS_CODES.get(status, 'Unknown')}",
            [("Content-Type", mimetype), ("Content-Length", str(len(body))), *SECURITY_HEADERS],
        )
        return [body]


def deliver(request, key, base_url, url):
    """(status, body bytes, mimetype): the answer to a request for webhook `key` (a Werkzeug or
    Flask request); `base_url` is where providers reach Parley, `url` the one the provider signed.
    Each answer is counted with its latency (app/observability/metrics.py: in memory, no I/O)."""
    started = time.perf_counter()
    seen = {"provider": "unknown"}  # until the key names an account
    status, code, body, mimetype = _answer(request, key, base_url, url, seen)
    metrics.observe_webhook(seen["provider"], status, code, started)
    return status, body, mimetype


def _answer(request, key, base_url, url, seen):
    try:
        account = webhooks.account_for_key(key)
        seen["provider"] = account["provider"]
        logs.bind(account=account["_id"])
        limit = webhooks.body_limit(account)
        if (request.content_length or 0) > limit:
            raise webhooks.too_large(account)
        request.max_content_length = limit  # a body without Content-Length stops at the limit too
        body = request.get_data(cache=True)  # the raw bytes, before any parsing: signatures cover them
        req = WebhookRequest.from_http(request.method, url, request.headers, body)
        reply = webhooks.handle(account, req, base_url)
    except webhooks.WebhookFailure as exc:
        return _error(exc.status, exc.code, exc.reason)
    except HTTPException as exc:  # the body past its limit, a broken upload
        return _error(exc.code, (exc.name or "error").lower().replace(" ", "_"), exc.description or exc.name)
    except Exception:
        log.exception("webhook delivery to %s failed", request.path)
        error = InternalServerError()
        return _error(error.code, "internal_server_error", error.description)
    code = None if request.method == "POST" else "handshake"  # for the metrics: a GET verifies the URL
    if reply.mimetype == "application/json":
        return reply.status, code, _json(reply.body), "application/json"
    return reply.status, code, str(reply.body).encode(), reply.mimetype


def signed_url(request, public_url=None):
    """The URL as the provider called it: Twilio signs it, and behind a proxy only PARLEY_PUBLIC_URL knows it."""
    if public_url:
        return public_url.rstrip("/") + request.full_path.rstrip("?")
    return current_url(request.scheme, request.host, request.root_path, request.path, request.query_string)


def _json(value):
    return (json.dumps(value, separators=(",", ":"), sort_keys=True) + "\n").encode()


def _error(status, code, message):
    return status, code, _json({"error": {"code": code, "message": message}}), "application/json"
