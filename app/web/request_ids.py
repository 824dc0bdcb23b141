"""Every request has an id: the caller's X-Request-Id when it is a sane one (a proxy's or a load
balancer's, so one id follows the request through them), else a new one. It is echoed back in
the response's X-Request-Id and named by each log line written while the request runs.

A WSGI middleware, outside the webhook fast path (app/web/webhook_delivery.py), so webhooks
answered below Flask have their id too. Each request runs in a copy of the log context
(app/observability/logs.py): what it binds (its account, its interaction) ends with it.
"""

import contextvars
import re
import secrets

from flask import request

from app.observability import logs

HEADER = "X-Request-Id"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id(environ):
    given = environ.get("HTTP_X_REQUEST_ID", "")
    return given if _SANE.fullmatch(given) else secrets.token_hex(16)


class RequestIds:
    """WSGI middleware: the request's id bound for the log and echoed in the response."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        return contextvars.copy_context().run(self._call, environ, start_response)

    def _call(self, environ, start_response):
        rid = request_id(environ)
        logs.bind(request_id=rid)

        def start_with_id(status, headers, exc_info=None):
            return start_response(status, [*headers, (HEADER, rid)], exc_info)

        return self.wsgi_app(environ, start_with_id)


def bind_route_context():
    """before_request: the account or interaction the route names, for the log."""
    args = request.view_args or {}
    logs.bind(account=args.get("account_id"), interaction=args.get("interaction_id"))


def init_app(app):
    app.wsgi_app = RequestIds(app.wsgi_app)
    app.before_request(bind_route_context)
