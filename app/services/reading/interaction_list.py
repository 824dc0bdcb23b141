"""The interactions list page: one page of the engine's list, and what its rows show beyond it.

The engine's query (interaction_queries) does filters, search, sort, paging and visibility; this
module adds, for the whole page at once, how many new interactions wait unmanaged for each
contact (one aggregation, never a query per row), and the choices the filter bar offers.
"""

from datetime import UTC

from app.db import get_db
from app.services.access.access_rules import queue_ids_of, visibility_filter
from app.services.reading import interaction_queries

# The query arguments the page and the REST API share (tags repeats for a multi-select).
FILTERS = (
    "status",
    "account_id",
    "first_agent_id",
    "contact_id",
    "read",
    "start_from",
    "start_to",
    "q",
    "window_closing_within",
    "sort",
    "page",
    "per_page",
)
STATUS_CHOICES = (("queued", "Waiting"), ("open", "Open"), ("reopened", "Reopened"), ("closed", "Closed"), ("bot", "Bot"))
BY_NAME = [("name", 1)]
SORT_CHOICES = (
    ("-start", "Newest start"),
    ("start", "Oldest start"),
    ("-last_message", "Latest message"),
    ("last_message", "Oldest message"),
    ("window", "Window closing soonest"),
)


def args_from(get, getlist):
    """The list arguments from a request's query string (`get`/`getlist` of its MultiDict)."""
    args = {name: (get(name) or "").strip() for name in FILTERS}
    args["tags"] = [tag for tag in getlist("tags") if tag]
    return args


def aware(moment):
    """Datetimes come back naive from some engines; they are UTC."""
    if moment is None or moment.tzinfo:
        return moment
    return moment.replace(tzinfo=UTC)


def when(moment):
    """A date and time as the pages and transcripts print it (UTC)."""
    moment = aware(moment)
    return moment.astimezone(UTC).strftime("%d %b %Y %H:%M") if moment else ""


def iso(moment):
    moment = aware(moment)
    return moment.astimezone(UTC).isoformat() if moment else ""


def status_label(row):
    """Open, Closed or Reopened as the spec names them; an interaction nobody took yet is Waiting."""
    if row.get("is_open") and row.get("reopened_at"):
        return "Reopened"
    return {"queued": "Waiting", "open": "Open", "closed": "Closed", "bot": "Bot"}.get(row.get("status"), row.get("status") or "")


def answer_overdue(row):
    """Whether its customer waits for an agent's answer past the queue's first-response target
    (flagged by app/services/routing/first_response.py)."""
    return bool(row.get("sla_breached_at")) and row.get("status") == "open" and bool(row.get("is_open"))


def new_counts(actor, contact_ids):
    """Per contact id, its interactions received and not yet managed (status queued): one query."""
    contact_ids = list(dict.fromkeys(contact_ids))
    if not contact_ids:
        return {}
    match = {"contact_id": {"$in": contact_ids}, "status": "queued"}
    visible = visibility_filter(actor)
    if visible:
        match = {"$and": [match, visible]}
    pipeline = [{"$match": match}, {"$group": {"_id": "$contact_id", "n": {"$sum": 1}}}]
    return {group["_id"]: group["n"] for group in get_db().interactions.aggregate(pipeline)}


def row_view(row, waiting):
    """One table row: the stored interaction plus its label, unread-new count and plain dates."""
    return {
        **row,
        "id": str(row["_id"]),
        "status_label": status_label(row),
        "answer_overdue": answer_overdue(row),
        "new_for_contact": waiting,
        "created_at": aware(row.get("created_at")),
        "reopened_at": aware(row.get("reopened_at")) if row.get("is_open") else None,
        "last_message": {**row["last_message"], "at": aware(row["last_message"].get("at"))} if row.get("last_message") else None,
        "window_expires_at": aware(row.get("window_expires_at")),
    }


def page(actor, args):
    """(rows for display, paging meta); BadFilter (400, with fields) on a bad argument."""
    rows, meta = interaction_queries.list_interactions(actor, args)
    counts = new_counts(actor, [row["contact_id"] for row in rows])
    return [row_view(row, counts.get(row["contact_id"], 0)) for row in rows], meta


def visible_accounts(actor):
    """Accounts the user works with: all for admins, their queues' for agents (sorted by name)."""
    query = {} if actor["role"] == "admin" else {"queue_id": {"$in": queue_ids_of(actor["_id"])}}
    fields = {"name": 1, "provider": 1, "contact_list_id": 1, "queue_id": 1}
    return list(get_db().accounts.find(query, fields, sort=BY_NAME))


def filter_options(actor):
    """What the filter bar and row menus offer: accounts, users, tags, dispositions (small sorted reads)."""
    db = get_db()
    return {
        "accounts": visible_accounts(actor),
        "agents": list(db.users.find({}, {"name": 1}, sort=BY_NAME)),  # admins can take interactions too
        "tags": [tag["name"] for tag in db.tags.find({}, {"name": 1}, sort=BY_NAME)],
        "dispositions": [d["name"] for d in db.dispositions.find({}, {"name": 1}, sort=BY_NAME)],
        "statuses": STATUS_CHOICES,
        "sorts": SORT_CHOICES,
    }
