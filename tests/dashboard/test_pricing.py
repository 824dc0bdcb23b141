"""Messages charged and free per day, account and category: the dashboard's table and GET /api/v1/reports/pricing."""

from datetime import UTC, datetime, timedelta

from app.db import get_db
from app.services import clock
from app.services.conversations import message_pricing
from tests.support.engine import make_queue, make_sandbox_account

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def priced(category, kind="regular"):
    return {"billable": kind == "regular", "category": category, "type": kind, "pricing_model": "PMP"}


def seed():
    """Two accounts' sends: today, three days ago and ten days ago (outside the week)."""
    clock.freeze(NOW)
    queue = make_queue([])
    shop, bank = make_sandbox_account(queue), make_sandbox_account(queue)
    for account, name in ((shop, "Shop"), (bank, "Bank")):
        get_db().accounts.update_one({"_id": account["_id"]}, {"$set": {"name": name}})
    sends = [
        (shop, "m1", priced("marketing"), NOW),
        (shop, "m2", priced("marketing"), NOW - timedelta(days=3)),
        (shop, "m3", priced("service", "free_customer_service"), NOW),
        (shop, "m4", priced("marketing"), NOW - timedelta(days=10)),
        (bank, "b1", priced("authentication"), NOW),
        (bank, "b1", priced("authentication"), NOW),  # the same message's next status
    ]
    for account, provider_id, pricing, at in sends:
        message_pricing.count(account["_id"], provider_id, pricing, at)
    return shop, bank


def test_the_dashboard_shows_today_and_the_last_7_days_per_account_and_category(app, admin_client):
    seed()
    page = admin_client.get("/dashboard/").get_data(as_text=True)
    assert 'data-testid="pricing"' in page and "2026-03-04 to 2026-03-10" in page
    rows = [chunk.split("</tr>")[0] for chunk in page.split('data-testid="pricing-row"')[1:]]
    figures = {}
    for row in rows:
        account = row.split('data-account="')[1].split('"')[0]
        category = row.split('data-category="')[1].split('"')[0]
        cells = [
            row.split(f'data-testid="{name}">')[1].split("<")[0]
            for name in ("today-billable", "today-free", "week-billable", "week-free")
        ]
        figures[(account, category)] = tuple(int(c) for c in cells)
    assert figures == {
        ("Bank", "authentication"): (1, 0, 1, 0),
        ("Shop", "marketing"): (1, 0, 2, 0),
        ("Shop", "service"): (0, 1, 0, 1),
    }


def test_the_api_reports_days_and_totals_for_admins(app, admin_client):
    shop, _ = seed()
    answer = admin_client.get("/api/v1/reports/pricing?from=2026-02-28&to=2026-03-10&account_id=" + str(shop["_id"]))
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["from"] == "2026-02-28" and data["to"] == "2026-03-10"
    assert [(d["day"], d["category"], d["billable"], d["free"]) for d in data["days"]] == [
        ("2026-02-28", "marketing", 1, 0),
        ("2026-03-07", "marketing", 1, 0),
        ("2026-03-10", "marketing", 1, 0),
        ("2026-03-10", "service", 0, 1),
    ]
    assert data["days"][-1]["types"] == {"free_customer_service": 1}
    assert [(t["account_name"], t["category"], t["billable"], t["free"]) for t in data["totals"]] == [
        ("Shop", "marketing", 3, 0),
        ("Shop", "service", 0, 1),
    ]
    default = admin_client.get("/api/v1/reports/pricing").get_json()
    assert (default["from"], default["to"]) == ("2026-03-04", "2026-03-10")
    assert {(t["account_name"], t["category"]) for t in default["totals"]} == {
        ("Bank", "authentication"),
        ("Shop", "marketing"),
        ("Shop", "service"),
    }


def test_bad_input_is_told_per_field_and_agents_are_refused(app, admin_client, agent_client):
    for query, field in [
        ("from=2026-13-01", "from"),
        ("from=2026-03-10&to=2026-03-01", "from"),
        ("from=2024-01-01&to=2026-03-01", "from"),
        ("account_id=nope", "account_id"),
        ("account_id=000000000000000000000000", "account_id"),
    ]:
        answer = admin_client.get(f"/api/v1/reports/pricing?{query}")
        assert answer.status_code == 400 and field in answer.get_json()["error"]["fields"], query
    assert agent_client.get("/api/v1/reports/pricing").status_code == 403
    assert agent_client.get("/dashboard/").status_code in (302, 403)
