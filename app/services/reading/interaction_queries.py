"""Finding interactions: the list's filters, search and sort, limited to what the user may see.

Filters and sort combine into one query served by an index (see app/db.py); the page is one
query, and the names it shows are stored on the interaction, so no per-row look-ups.
"""

from datetime import UTC, datetime, timedelta

from bson import ObjectId

from app import jobs
from app.db import get_db
from app.domain import messages as msgs
from app.domain.interaction_shapes import SORTS, STATUSES, InteractionFilters, MessagePage, ReadUpTo
from app.domain.search import query_words
from app.services import clock
from app.services.access.access_rules import load_visible, visibility_filter
from app.services.conversations import message_store
from app.services.conversations.delivery import read_receipts_when
from app.services.errors import ServiceError
from app.services.reading import interaction_search
from app.services.setup.records import checked

PER_PAGE = 25


class BadFilter(ServiceError):
    code = "bad_filter"


def _date(value, field, errors, end=False):
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        errors[field] = "Use a date like 2026-11-24 or 2026-11-24T13:45."
        return None
    if len(value) == 10 and end:
        moment += timedelta(days=1)  # a day given as the end includes all of that day
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _whole(shape, name):
    """What a number argument that `shape` refuses is told, with the shape's own bounds."""
    bounds = {kind: getattr(m, kind) for m in shape.model_fields[name].metadata for kind in ("ge", "le") if hasattr(m, kind)}
    rule = "Between {ge} and {le}." if "le" in bounds else "At least {ge}."
    return lambda error: "Use a whole number." if error["type"] == "int_parsing" else rule.format(**bounds)


FILTER_SAYS = {
    "status": f"One of: {', '.join(STATUSES)}.",
    "account_id": "Not a valid id.",
    "agent_id": "Not a valid id.",
    "first_agent_id": "Not a valid id.",
    "contact_id": "Not a valid id.",
    "read": "Use true or false.",
    "sort": f"One of: {', '.join(SORTS)} (prefix - for newest first).",
    "tag": "At most 60 characters.",
    "tags": "At most 50 tags of 60 characters.",
    **{name: _whole(InteractionFilters, name) for name in ("page", "per_page", "window_closing_within")},
}

PAGING_SAYS = {name: _whole(MessagePage, name) for name in ("before", "limit")}
READ_SAYS = {"position": "Use the position of a message (a whole number)."}


def build_query(actor, args):
    """The MongoDB filter, sort and paging for list arguments (a dict of strings); BadFilter on bad input."""
    given = {name: value for name, value in args.items() if value not in (None, "", [])}
    if isinstance(given.get("tags"), list):
        given["tags"] = [tag for tag in given["tags"] if tag] or None
    errors = {}
    try:
        shown = checked(InteractionFilters, given, "Check the filters.", BadFilter, say=FILTER_SAYS)
    except BadFilter as refused:  # the dates too, so that every bad filter is named at once
        shown = InteractionFilters()
        errors = {name.split(".")[0]: text for name, text in reversed(refused.fields.items())}  # "tags", not "tags.0"
    query = {}
    if shown.status == "reopened":
        query["reopened_at"] = {"$ne": None}
        query["is_open"] = True
    elif shown.status:
        query["status"] = shown.status
    for field in ("account_id", "agent_id", "first_agent_id", "contact_id"):
        if getattr(shown, field):
            query[field] = ObjectId(getattr(shown, field))
    tags = [*(shown.tags or []), *([shown.tag] if shown.tag else [])]
    if tags:
        query["tags"] = {"$all": tags}
    if shown.read is not None:
        query["unread"] = 0 if shown.read else {"$gt": 0}
    start_from, start_to = (
        _date(given.get("start_from"), "start_from", errors),
        _date(given.get("start_to"), "start_to", errors, end=True),
    )
    if start_from or start_to:
        query["created_at"] = {**({"$gte": start_from} if start_from else {}), **({"$lt": start_to} if start_to else {})}
    hours = shown.window_closing_within
    if hours:
        now = clock.now()
        query["window_expires_at"] = {"$gt": now, "$lte": now + timedelta(hours=hours)}
        query["is_open"] = True
    words = query_words(shown.q or "")
    if words:
        try:
            query["_id"] = {"$in": sorted(interaction_search.matching_ids(words))}
        except interaction_search.TooCommon as common:
            errors["q"] = (
                f"{', '.join(map(repr, common.args[0]))} appears in too many conversations to search by alone: "
                "add a rarer word, such as a name or a number."
            )
    sort_key = shown.sort or "-start"
    descending = sort_key.startswith("-")
    page, per_page = shown.page or 1, shown.per_page or PER_PAGE
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
    rows = list(collection.find(query, {"search_terms": 0}, sort=sort, skip=(page - 1) * per_page, limit=per_page))
    # An unfiltered count would read every document; the collection's metadata answers it at once.
    total = collection.count_documents(query) if query else collection.estimated_document_count()
    return rows, {"page": page, "per_page": per_page, "total": total, "pages": max(1, -(-total // per_page))}


MESSAGE_PAGE = 50


def visible_message(message, actor=None):
    """A message as `actor` sees it: hidden sends (reactions) and bulky data URLs left out, and for
    agents what the customer deleted or edited away."""
    shown = msgs.as_seen_by(dict(message), (actor or {}).get("role") == "admin")
    media = shown.get("media")
    if media and str(media.get("url", "")).startswith("data:"):
        shown["media"] = {k: v for k, v in media.items() if k != "url"}
    if shown.get("template"):
        shown["template"] = {k: v for k, v in shown["template"].items() if k != "spec"}
    return shown


def detail(actor, interaction_id, before=None, limit=None):
    """The interaction with one page of messages: the latest, or those before position `before`."""
    asked = {name: value for name, value in (("before", before), ("limit", limit)) if value not in (None, "")}
    paging = checked(MessagePage, asked, "Check the paging.", BadFilter, say=PAGING_SAYS)
    limit = paging.limit or MESSAGE_PAGE
    doc = load_visible(actor, interaction_id, {"search_terms": 0})
    total = doc.get("messages_len", 0)
    end = total if paging.before is None else paging.before
    if end > total:  # the bound that needs the interaction
        raise BadFilter("Check the paging.", {"before": f"Between 0 and {total}."})
    window = message_store.page(doc["_id"], end, limit) if end > 0 else []
    # A full page may have older messages before its first; positions may have gaps (message_store).
    start = window[0]["position"] if len(window) == limit else 0
    messages = [
        dict(visible_message(message_store.public(m), actor), position=m["position"]) for m in window if not m.get("hidden")
    ]
    return doc, messages, {"first_position": start, "total": total, "has_older": start > 0}


def mark_read(actor, interaction_id, position=None):
    """The agent has seen the conversation up to the message at `position` (all of it when None).

    `unread` then counts the customer's messages after that one, so a desktop that showed only
    part of them keeps the rest unread across reloads. Read receipts go once the latest is seen,
    if the account wants them on view.
    """
    position = checked(
        ReadUpTo, {"position": position}, "Check the read position.", BadFilter, strict=True, say=READ_SAYS
    ).position
    # A customer message may land between the count and the write: then count again.
    for _ in range(5):
        doc = load_visible(actor, interaction_id, {"search_terms": 0})
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
    return message_store.count_after(doc["_id"], position, "in", doc["unread"])
