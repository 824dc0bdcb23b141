"""/healthz (liveness), /readyz (readiness) and /metrics (Prometheus, behind a bearer token).

/healthz and /readyz are public: load balancers and orchestrators call them without credentials,
and they say which part fails, never why. /metrics answers only a request carrying
`Authorization: Bearer <PARLEY_METRICS_TOKEN>`, and 404 to anything else: with no token set,
the endpoint is off, and a wrong token cannot tell a prober that it exists.
"""

import hmac

from flask import Response, abort, current_app, jsonify, request

from app.blueprints.operations import bp
from app.extensions import EMBEDDED_WORKER
from app.observability import metrics
from app.observability.gauges import ScrapeGauges
from app.services.health import check_readiness

# Once per process (the module is imported once, however many apps the process builds).
metrics.REGISTRY.register(ScrapeGauges())


@bp.route("/healthz")
def healthz():
    """The process answers: nothing else is checked, so a slow database never restarts it."""
    return jsonify(status="ok")


@bp.route("/readyz")
def readyz():
    report = check_readiness(current_app.extensions.get(EMBEDDED_WORKER))
    return jsonify(report), (200 if report["status"] == "ok" else 503)


@bp.route("/metrics")
def prometheus_metrics():
    token = current_app.config["PARLEY_METRICS_TOKEN"]
    given = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        abort(404)
    return Response(metrics.exposition(), mimetype=None, content_type=metrics.CONTENT_TYPE)
