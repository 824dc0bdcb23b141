"""What sent messages cost, as the providers reported it: the day sums of `pricing_daily`
(app/services/conversations/message_pricing.py) per account and category, billable and free.

Days are UTC days, like the rest of the dashboard. Admins only (the views check the role).
"""

from datetime import date, timedelta

from bson import ObjectId
from bson.errors import InvalidId

from app.db import get_db
from app.services import clock
from app.services.channel import accounts
from app.services.errors import ServiceError

MAX_DAYS = 366
RECENT_DAYS = 7  # the dashboard's table: today and the last 7 days, today included


def _day(text, field):
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise ServiceError("Check the dates.", {field: "A day as YYYY-MM-DD."}) from None


def _account_id(text):
    try:
        return ObjectId(text)
    except (InvalidId, TypeError):
        raise ServiceError("Check the account.", {"account_id": "No such account."}) from None


def report(date_from=None, date_to=None, account_id=None):
    """The day sums between two days (both included; by default the last RECENT_DAYS), for one account
    or all: {from, to, account_id, days: [{day, account_id, account_name, category, billable, free, types}],
    totals: [{account_id, account_name, category, billable, free}]}. Bad input raises ServiceError with fields."""
    today = clock.now().date()
    last = _day(date_to, "to") if date_to else today
    first = _day(date_from, "from") if date_from else last - timedelta(days=RECENT_DAYS - 1)
    if first > last:
        raise ServiceError("Check the dates.", {"from": "On or before 'to'."})
    if (last - first).days >= MAX_DAYS:
        raise ServiceError("Check the dates.", {"from": f"At most {MAX_DAYS} days before 'to'."})
    query = {"day": {"$gte": first.isoformat(), "$lte": last.isoformat()}}
    if account_id:
        query["account_id"] = _account_id(account_id)
        if accounts.cached_account(query["account_id"]) is None:
            raise ServiceError("Check the account.", {"account_id": "No such account."})
    docs = list(get_db().pricing_daily.find(query, sort=[("day", 1), ("account_id", 1), ("category", 1)]))
    names = {a["_id"]: a["name"] for a in accounts.all_accounts()}
    days = [_row(doc, names) for doc in docs]
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "account_id": account_id or None,
        "days": days,
        "totals": _totals(days),
    }


def _row(doc, names):
    return {
        "day": doc["day"],
        "account_id": str(doc["account_id"]),
        "account_name": names.get(doc["account_id"], "(deleted account)"),
        "category": doc["category"],
        "billable": doc.get("billable", 0),
        "free": doc.get("free", 0),
        "types": dict(doc.get("types") or {}),
    }


def _totals(days):
    """The rows summed over their days, per account and category, in account name then category order."""
    sums = {}
    for row in days:
        key = (row["account_name"], row["account_id"], row["category"])
        total = sums.setdefault(key, {"billable": 0, "free": 0})
        total["billable"] += row["billable"]
        total["free"] += row["free"]
    return [
        {"account_id": account_id, "account_name": name, "category": category, **total}
        for (name, account_id, category), total in sorted(sums.items())
    ]


def recent():
    """The dashboard's table: per account and category, today's and the last RECENT_DAYS days' counts."""
    week = report()
    today = week["to"]
    today_sums = {(r["account_id"], r["category"]): r for r in week["days"] if r["day"] == today}
    rows = []
    for total in week["totals"]:
        day = today_sums.get((total["account_id"], total["category"]), {})
        rows.append({**total, "today_billable": day.get("billable", 0), "today_free": day.get("free", 0)})
    return {"from": week["from"], "to": today, "rows": rows}
