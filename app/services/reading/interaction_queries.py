"""Finding interactions: the list's filters, search and sort, limited to what the user may see.

Filters and sort combine into one query served by an index (see app/db.py); the page is one
query, and the names it shows are stored on the interaction, so no per-row look-ups.
"""

import re
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from app import jobs
from app.db import get_db
from app.domain.interaction_shapes import MAX_MESSAGE_PAGE, SORTS
from app.domain.search import query_words
from app.services import clock
from app.services.access.access_rules import load_visible, visibility_filter
from app.services.conversations.delivery import read_receipts_when
from app.services.errors import ServiceError

STATUSES = ("queued", "open", "closed", "reopened")
MAX_PER_PAGE = 100
MAX_PAGE = 1000


class BadFilter(ServiceError):
    code = "bad_filter"


def _oid(value, field, errors):
    if value in (None, ""):
        return None
    if not ObjectId.is_valid(value):
        errors[field] = "Not a valid id."
        return None
    return ObjectId(value)


def _date(value, field, errors, end=False):
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        errors[field] = "Use a date like 2026-11-24 or 2026-11-24T13:45."
        return None
    if len(value) == 10 and end:
        moment += timedelta(days=1)  # a day given as the end includes all of that day
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _int(value, field, errors, default, low, high):
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = "Use a whole number."
        return default
    if not low <= number <= high:
        errors[field] = f"Between {low} and {high}."
        return default
    return number


def build_query(actor, args):
    """The MongoDB filter, sort and paging for list arguments (a dict of strings); BadFilter on bad input."""
    errors, query = {}, {}
    status = args.get("status")
    if status:
        if status not in STATUSES:
            errors["status"] = f"One of: {', '.join(STATUSES)}."
        elif status == "reopened":
            query["reopened_at"] = {"$ne": None}
            query["is_open"] = True
        else:
            query["status"] = status
    for field, key in (("account_id", "account_id"), ("agent_id", "agent_id"), ("first_agent_id", "first_agent_id")):
        oid = _oid(args.get(field), field, errors)
        if oid:
            query[key] = oid
    tags = [t for t in args.get("tags", []) if t] if isinstance(args.get("tags"), list) else []
    if args.get("tag"):
        tags.append(args["tag"])
    if tags:
        query["tags"] = {"$all": tags}
    read = args.get("read")
    if read not in (None, ""):
        if read not in ("true", "false"):
            errors["read"] = "Use true or false."
        else:
            query["unread"] = 0 if read == "true" else {"$gt": 0}
    start_from, start_to = (
        _date(args.get("start_from"), "start_from", errors),
        _date(args.get("start_to"), "start_to", errors, end=True),
    )
    if start_from or start_to:
        query["created_at"] = {**({"$gte": start_from} if start_from else {}), **({"$lt": start_to} if start_to else {})}
    hours = _int(args.get("window_closing_within"), "window_closing_within", errors, None, 1, 24)
    if hours:
        now = clock.now()
        query["window_expires_at"] = {"$gt": now, "$lte": now + timedelta(hours=hours)}
        query["is_open"] = True
    words = query_words(args.get("q") or "")
    if words:
        query["$and"] = [{"search_terms": {"$regex": "^" + re.escape(word)}} for word in words]
    sort_key = args.get("sort") or "-start"
    descending = sort_key.startswith("-")
    if sort_key.lstrip("-") not in SORTS:
        errors["sort"] = f"One of: {', '.join(SORTS)} (prefix - for newest first)."
        sort_key = "-start"
    page = _int(args.get("page"), "page", errors, 1, 1, MAX_PAGE)
    per_page = _int(args.get("per_page"), "per_page", errors, 25, 1, MAX_PER_PAGE)
    if errors:
        raise BadFilter("Check the filters.", errors)
    visible = visibility_filter(actor)
    if visible:
        query = {"$and": [visible, query]} if query else visible
    sort = [(SORTS[sort_key.lstrip("-")], -1 if descending else 1), ("_id", -1 if descending else 1)]
    return query, sort, page, per_page


def list_interactions(actor, args):
    """One page: (rows without messages, paging meta). Costs one find plus one count."""
    query, sort, page, per_page = build_query(actor, args)
    collection = get_db().interactions
    rows = list(collection.find(query, {"messages": 0, "search_terms": 0}, sort=sort, skip=(page - 1) * per_page, limit=per_page))
    # An unfiltered count would read every document; the collection's metadata answers it at once.
    total = collection.count_documents(query) if query else collection.estimated_document_count()
    return rows, {"page": page, "per_page": per_page, "total": total, "pages": max(1, -(-total // per_page))}


MESSAGE_PAGE = 50


def visible_message(message):
    """A message as clients see it: hidden sends (reactions) and bulky data URLs left out."""
    shown = dict(message)
    media = shown.get("media")
    if media and str(media.get("url", "")).startswith("data:"):
        shown["media"] = {k: v for k, v in media.items() if k != "url"}
    if shown.get("template"):
        shown["template"] = {k: v for k, v in shown["template"].items() if k != "spec"}
    return shown


def detail(actor, interaction_id, before=None, limit=None):
    """The interaction with one page of messages: the latest, or those before position `before`."""
    errors = {}
    limit = _int(limit, "limit", errors, MESSAGE_PAGE, 1, MAX_MESSAGE_PAGE)
    doc = load_visible(actor, interaction_id, {"messages": 0, "search_terms": 0})
    total = doc.get("messages_len", 0)
    end = _int(before, "before", errors, total, 0, max(total, 0))
    if errors:
        raise BadFilter("Check the paging.", errors)
    start = max(0, end - limit)
    page = (
        get_db().interactions.find_one({"_id": doc["_id"]}, {"messages": {"$slice": [start, end - start]}})
        if end > start
        else None
    )
    window = (page or {}).get("messages", [])
    messages = [dict(visible_message(m), position=start + i) for i, m in enumerate(window) if not m.get("hidden")]
    return doc, messages, {"first_position": start, "total": total, "has_older": start > 0}


def mark_read(actor, interaction_id, position=None):
    """The agent has seen the conversation up to the message at `position` (all of it when None).

    `unread` then counts the customer's messages after that one, so a desktop that showed only
    part of them keeps the rest unread across reloads. Read receipts go once the latest is seen,
    if the account wants them on view.
    """
    if position is not None and (isinstance(position, bool) or not isinstance(position, int) or position < 0):
        raise BadFilter("Check the read position.", {"position": "Use the position of a message (a whole number)."})
    # A customer message may land between the count and the write: then count again.
    for _ in range(5):
        doc = load_visible(actor, interaction_id, {"messages": 0, "search_terms": 0})
        unread = 0 if position is None else _unread_after(doc, position)
        written = get_db().interactions.update_one(
            {"_id": doc["_id"], "messages_len": doc.get("messages_len", 0)}, {"$set": {"unread": unread}}
        )
        if written.matched_count:
            break
    account = get_db().accounts.find_one({"_id": doc["account_id"]}, {"settings": 1})
    if unread == 0 and doc.get("agent_id") == actor["_id"] and read_receipts_when(account, "view"):
        jobs.enqueue(jobs.SEND_READ_RECEIPT, interaction_id=str(doc["_id"]))
    doc["unread"] = unread
    return doc


def _unread_after(doc, position):
    """The customer's messages after `position`, never more than the stored count (an agent's reply resets it)."""
    total = doc.get("messages_len", 0)
    if position + 1 >= total or not doc.get("unread"):
        return 0
    page = get_db().interactions.find_one({"_id": doc["_id"]}, {"messages": {"$slice": [position + 1, total - position - 1]}})
    after = sum(1 for m in (page or {}).get("messages", []) if m.get("direction") == "in" and not m.get("hidden"))
    return min(after, doc["unread"])
