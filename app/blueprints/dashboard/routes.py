import csv
import io

from flask import Response, jsonify, render_template, request

from app.blueprints.dashboard import bp
from app.services.errors import ServiceError
from app.services.reporting import dashboard, pricing_report, supervision
from app.services.serialize import plain


def _alert_after():
    """Seconds of waiting that turn a queue red: ?alert_after=<minutes> (1..240), 5 by default."""
    raw = request.args.get("alert_after", "")
    if not raw:
        return dashboard.WAIT_ALERT_SECONDS
    if not raw.isdigit() or not 1 <= int(raw) <= 240:
        raise ServiceError("alert_after is in minutes, 1 to 240.", {"alert_after": "Between 1 and 240 minutes."})
    return int(raw) * 60


@bp.route("/")
def index():
    return render_template(
        "dashboard/index.html",
        data=dashboard.summary(_alert_after()),
        supervision=plain(supervision.overview()),
        pricing=pricing_report.recent(),
    )


@bp.route("/live")
def live():
    """The figures alone, for the page to swap in after live events (drawn by the same templates)."""
    return render_template("dashboard/_figures.html", data=dashboard.summary(_alert_after()))


@bp.route("/supervision")
def supervision_panels():
    """The Agents and Queues panels' data, as JSON: the page refreshes them after live events."""
    return jsonify(plain(supervision.overview()))


@bp.route("/export.csv")
def export_csv():
    data = dashboard.summary(_alert_after())
    buffer = io.StringIO()
    csv.writer(buffer).writerows(dashboard.csv_rows(data))
    stamp = data["generated_at"].strftime("%Y%m%d-%H%M")
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="parley-dashboard-{stamp}.csv"'})
