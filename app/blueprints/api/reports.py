"""Reports over the REST API: the dashboard summary (admins) and an interaction's ZIP export."""

from flask import Response, g, jsonify, request

from app.blueprints.api import bp
from app.services.errors import Forbidden, ServiceError
from app.services.reading import transcript_zip
from app.services.reporting import dashboard
from app.services.serialize import plain


@bp.route("/dashboard", methods=["GET"])
def dashboard_summary():
    if g.api_user["role"] != "admin":
        raise Forbidden("The dashboard is for admins.")
    raw = request.args.get("alert_after", "")
    if raw and (not raw.isdigit() or not 1 <= int(raw) <= 240):
        raise ServiceError("alert_after is in minutes, 1 to 240.", {"alert_after": "Between 1 and 240 minutes."})
    return jsonify(plain(dashboard.summary(int(raw) * 60 if raw else dashboard.WAIT_ALERT_SECONDS)))


@bp.route("/interactions/<interaction_id>/export.zip", methods=["GET"])
def export_zip(interaction_id):
    name, data = transcript_zip.build(g.api_user, interaction_id)
    return Response(data, mimetype="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'})
