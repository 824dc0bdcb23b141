"""The dashboard's figures, its CSV and API, and who may see it."""

import csv
import io
from datetime import timedelta

from app.db import get_db
from app.services import clock
from app.services.conversations import lifecycle, outbound
from app.services.reporting import dashboard
from tests.interactions.support import says, taken
from tests.support.builders import sign_in


def test_figures_per_queue_today_times_sentiment_load_lag_and_jobs(app, team):
    clock.freeze(clock.now().replace(hour=12, minute=0, second=0, microsecond=0))
    account = team["account"]
    answered = taken(account, team["alice"], "+447700900401", "hi")
    clock.advance(timedelta(seconds=30))
    outbound.compose(team["alice"], answered["_id"], {"text": "hello, how can I help?"})
    clock.advance(timedelta(minutes=4))
    lifecycle.close(team["alice"], answered["_id"])
    get_db().interactions.update_one({"_id": answered["_id"]}, {"$set": {"sentiment": "Mixed"}})
    says(account, "+447700900402", "waiting here")
    clock.advance(timedelta(minutes=6))
    says(account, "+447700900403", "me too")
    taken(account, team["bob"], "+447700900404", "and me")
    data = dashboard.summary(alert_after=300)
    sales = next(q for q in data["queues"] if q["name"] == "Sales")
    assert (sales["waiting"], sales["open"], sales["agents"]) == (2, 1, 2)
    assert sales["longest_wait"] == 360 and sales["alert"] is True
    assert data["first_response"] == {"count": 1, "median": 30.0, "p90": 30.0}
    assert data["handling"]["count"] == 1 and data["handling"]["median"] == 270.0
    assert data["sentiment"]["Mixed"] == 1 and data["totals"]["today"] == 4
    assert sum(h["count"] for h in data["hourly"]) == 4 and data["hourly"][12]["count"] == 4
    load = {a["name"]: a for a in data["agents"]}
    assert load["Alice"]["closed_today"] == 1 and load["Bob"]["open"] == 1
    assert data["ingestion"]["provider_to_parley"]["count"] == 4
    assert set(data["jobs"]) == {"inbound", "outbound", "media", "sentiment", "maintenance", "assistant", "campaigns", "routing"}


def test_percentile_is_nearest_rank():
    assert dashboard.percentile([], 0.5) is None
    assert dashboard.percentile([5, 1, 3], 0.5) == 3
    assert dashboard.percentile(list(range(1, 11)), 0.9) == 9
    assert dashboard.duration(75) == "1m 15s" and dashboard.duration(None) == "—"


def test_page_csv_and_api_for_admins_only(app, team, admin_client, agent_client):
    says(team["account"], "+447700900411", "hello")
    page = admin_client.get("/dashboard/")
    assert page.status_code == 200 and 'data-testid="chart-hourly"' in page.get_data(as_text=True)
    assert 'data-testid="total-waiting">1<' in admin_client.get("/dashboard/live").get_data(as_text=True)
    exported = admin_client.get("/dashboard/export.csv")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert exported.mimetype == "text/csv" and ["queue", "Sales", "waiting", "1"] in rows
    assert admin_client.get("/dashboard/?alert_after=zero", headers={"Accept": "application/json"}).status_code == 400
    api = admin_client.get("/api/v1/dashboard").get_json()
    assert api["totals"]["waiting"] == 1 and api["queues"][0]["id"]
    assert agent_client.get("/dashboard/").status_code == 403
    assert agent_client.get("/api/v1/dashboard").status_code == 403
    alice = app.test_client()
    sign_in(alice, team["alice"]["email"])
    assert alice.get("/api/v1/dashboard?alert_after=5").status_code == 403
