"""Parley: a WhatsApp channel for contact centers. `create_app` wires the pieces, nothing else."""

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import ConfigError, load_config

log = logging.getLogger("parley")


def create_app(config=None):
    """Build the Flask app. `config` is a settings object or a name (development | testing | production)."""
    if config is None or isinstance(config, str):
        config = load_config(config)
    config.check()

    from app.observability import logs

    logs.install(json_lines=config.PARLEY_LOG_FORMAT == "json")  # before Flask's logger, which then adds no handler
    app = Flask(__name__)
    app.config.from_object(config)
    from app.web import request_ids
    from app.web.webhook_delivery import WebhookFastPath

    app.wsgi_app = WebhookFastPath(app, app.wsgi_app)  # inside ProxyFix: it sees the client's scheme and host
    request_ids.init_app(app)  # around the fast path: webhooks have a request id too
    if config.PROXY_COUNT:
        # Behind a load balancer: the client's address and scheme come from the proxies' headers.
        n = config.PROXY_COUNT
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)
    app.config["PARLEY_CONFIG_NAME"] = config.NAME
    app.config["PARLEY_EMBEDDED_DB"] = config.embedded_database

    # Imported here, not at the top: every `import app.x` runs this package first, and a worker
    # importing one service must not load every blueprint (nor import its own importer back).
    from app import crypto, db, queues
    from app.blueprints import register_blueprints
    from app.cli import register_cli
    from app.extensions import csrf, limiter
    from app.providers import http as provider_http
    from app.realtime import handlers as sockets
    from app.services import config_cache
    from app.services.assistant import settings as assistant_settings
    from app.services.campaigns import opt_out
    from app.services.people import passwords
    from app.web import access, errors, headers, login, navigation, sessions

    crypto.configure(config.SECRET_KEY, config.PARLEY_ENCRYPTION_KEY)
    passwords.configure(config.ARGON2_TIME_COST, config.ARGON2_MEMORY_COST)
    provider_http.configure(config.PARLEY_PROVIDER_CONNECT_TIMEOUT, config.PARLEY_PROVIDER_READ_TIMEOUT)
    db.connect(config.MONGO_URI)
    db.ensure_indexes()
    queues.configure(config.REDIS_URL, config.PARLEY_REDIS_TIMEOUT_SECONDS)
    config_cache.configure(config.PARLEY_CONFIG_CACHE_MS)
    assistant_settings.configure(config.PARLEY_ASSISTANT_TIMEOUT, config.PARLEY_ASSISTANT_DEBOUNCE_SECONDS)
    opt_out.configure(config.PARLEY_OPT_OUT_WORDS, config.PARLEY_OPT_IN_WORDS)

    app.config["RATELIMIT_STORAGE_URI"] = config.REDIS_URL
    # Off: the sign-in page sets its own Retry-After, which the limiter would stretch to its window.
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)
    csrf.init_app(app)
    sessions.init_app(app)
    login.init_app(app)
    sockets.init_app(app)
    access.init_app(app)
    errors.init_app(app)
    navigation.init_app(app)
    headers.init_app(app)
    register_blueprints(app)
    register_cli(app)

    if config.embedded_database:
        log.warning(
            "Embedded database (%s): data lives in this process's memory and is lost when it stops. "
            "For trying Parley out and for tests only; set MONGO_URI to a MongoDB server for real use.",
            config.MONGO_URI,
        )
    return app


__all__ = ["create_app", "ConfigError"]
