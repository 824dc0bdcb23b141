"""What operators' tools call: liveness, readiness and the Prometheus metrics."""

from flask import Blueprint

bp = Blueprint("operations", __name__)

from app.blueprints.operations import routes  # noqa: E402,F401
