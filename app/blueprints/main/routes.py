from flask import jsonify, redirect
from flask_login import current_user

from app.blueprints.auth.routes import home_for
from app.blueprints.main import bp
from app.services.health import check_health


@bp.route("/")
def index():
    return redirect(home_for(current_user))


@bp.route("/healthz")
def healthz():
    report = check_health()
    return jsonify(report), (200 if report["status"] == "ok" else 503)
