"""An interaction's life after it is accepted: close, reopen, transfer, and internal notes.

Each change is one atomic update that also appends a system line (or the note) and bumps the
event sequence; the event then goes to everyone who may see the interaction.
"""

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from app.db import get_db
from app.domain import messages as msgs
from app.domain.interaction_shapes import TEXT_MAX, Labels, Transfer
from app.domain.window import is_open as window_is_open
from app.services import clock
from app.services.access import room_access
from app.services.access.access_rules import as_oid, load_visible, require_owner, require_text
from app.services.conversations import live, message_store, routing
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.serialize import plain
from app.services.setup.records import checked

NOTE_MAX = TEXT_MAX
LABEL_SAYS = {
    "disposition": lambda error: "A disposition is a name." if error["type"] == "string_type" else None,
    "tags": lambda error: "Tags must be a list of names." if error["type"] in ("list_type", "string_type") else None,
}


def system_line(text, actor=None):
    line = {"id": msgs.new_id(), "direction": "system", "author": "system", "kind": "system", "text": text, "at": clock.now()}
    if actor:
        line["agent"] = {"id": str(actor["_id"]), "name": actor["name"]}
    return line


def _update(filter_, update, failure, line=None):
    """The interaction after `update`; with `line`, the update takes its position and it is stored."""
    doc = append_line(filter_, update, line) if line else get_db().interactions.find_one_and_update(
        filter_, update, projection={"search_terms": 0}, return_document=ReturnDocument.AFTER
    )
    if doc is None:
        raise failure
    return doc


def append_line(filter_, update, line):
    """Apply `update` (which increments `messages_len`) to the interaction, then store `line` at the
    position it took. The interaction after the update, or None when the filter matched nothing."""
    doc = get_db().interactions.find_one_and_update(
        filter_, update, projection={"search_terms": 0}, return_document=ReturnDocument.AFTER
    )
    if doc is not None:
        message_store.append(doc, line)
    return doc


def check_labels(disposition, tags):
    """Dispositions and tags: their shape first, then names that exist in their admin lists."""
    labels = checked(
        Labels, {"disposition": disposition, "tags": tags}, "Check the disposition and tags.", strict=True, say=LABEL_SAYS
    )
    disposition, tags, errors = labels.disposition, list(dict.fromkeys(labels.tags or [])), {}
    if disposition and not get_db().dispositions.find_one({"name": disposition}, {"_id": 1}):
        errors["disposition"] = f"Unknown disposition {disposition!r}."
    known = {t["name"] for t in get_db().tags.find({"name": {"$in": tags}}, {"name": 1})}
    unknown = [tag for tag in tags if tag not in known]
    if unknown:
        errors["tags"] = f"Unknown tags: {', '.join(unknown)}."
    if errors:
        raise ValidationFailed("Check the disposition and tags.", errors)
    return disposition or None, tags


def close(actor, interaction_id, disposition=None, tags=None):
    existing = load_visible(actor, interaction_id, {"search_terms": 0})
    if not existing.get("is_open"):
        raise Conflict("This interaction is already closed.")
    require_owner(actor, existing)
    disposition, tags = check_labels(disposition, tags)
    now = clock.now()
    line = system_line(f"Closed by {actor['name']}" + (f" · {disposition}" if disposition else ""), actor)
    changes = {"status": "closed", "is_open": False, "closed_at": now, "closed_by": actor["_id"], "updated_at": now}
    if disposition:
        changes["disposition"] = disposition
    update = {"$set": changes, "$inc": {"seq": 1, "messages_len": 1}}
    if tags:
        update["$addToSet"] = {"tags": {"$each": tags}}
    doc = _update({"_id": existing["_id"], "is_open": True}, update, Conflict("This interaction is already closed."), line)
    live.publish(doc, "closed", {"message": plain(msgs.with_position(line, doc)), "interaction": routing.card(doc)})
    place_freed(existing.get("agent_id"), doc)
    return doc


def close_by_system(interaction_id, reason, disposition=None, where=None):
    """Close with the system line `reason` (and `disposition`, a name the caller made sure exists), if the
    interaction is open and also matches `where`; the closed interaction, or None."""
    now = clock.now()
    line = system_line(reason)
    changes = {"status": "closed", "is_open": False, "closed_at": now, "closed_by": "system", "updated_at": now}
    if disposition:
        changes["disposition"] = disposition
    doc = append_line(
        {**(where or {}), "_id": interaction_id, "is_open": True},
        {"$set": changes, "$inc": {"seq": 1, "messages_len": 1}},
        line,
    )
    if doc is not None:
        waiting = routing.offer_targets(doc) if doc.get("agent_id") is None else []  # their offer cards settle
        live.publish(
            doc,
            "closed",
            {"message": plain(msgs.with_position(line, doc)), "interaction": routing.card(doc)},
            extra_agent_ids=waiting,
        )
        place_freed(doc.get("agent_id"), doc)
    return doc


def reopen(actor, interaction_id, disposition=None, tags=None):
    """The agent takes the closed interaction again; after the window only a template can go out."""
    existing = load_visible(actor, interaction_id, {"search_terms": 0})
    if existing.get("is_open"):
        raise Conflict("This interaction is not closed.")
    disposition, tags = check_labels(disposition, tags)
    now = clock.now()
    within = window_is_open(existing, now)
    text = f"Reopened by {actor['name']}" + ("" if within else " · the 24-hour window has expired: send the recontact template")
    line = system_line(text, actor)
    changes = {
        "status": "open",
        "is_open": True,
        "agent_id": actor["_id"],
        "agent_name": actor["name"],
        "reopened_at": now,
        "updated_at": now,
        "window_expired": not within,
    }
    if disposition:
        changes["disposition"] = disposition
    update = {
        "$set": changes,
        "$push": {"reopens": {"at": now, "by": str(actor["_id"]), "name": actor["name"]}},
        "$inc": {"seq": 1, "messages_len": 1},
    }
    if tags:
        update["$addToSet"] = {"tags": {"$each": tags}}
    try:
        doc = _update({"_id": existing["_id"], "is_open": False}, update, Conflict("This interaction is not closed."), line)
    except DuplicateKeyError:
        raise Conflict("This contact already has an open interaction on this account: continue there.") from None
    room_access.after_change(existing, doc, f"Reopened by {actor['name']}")
    live.publish(
        doc,
        "reopened",
        {"message": plain(msgs.with_position(line, doc)), "interaction": routing.card(doc), "window_open": within},
    )
    return doc


def transfer(actor, interaction_id, to_agent_id=None, to_queue_id=None):
    existing = load_visible(actor, interaction_id, {"search_terms": 0})
    if not existing.get("is_open"):
        raise Conflict("Closed interactions cannot be transferred.")
    require_owner(actor, existing)
    account = get_db().accounts.find_one({"_id": existing["account_id"]}, {"settings": 1})
    if not ((account or {}).get("settings") or {}).get("allow_transfer", False):
        raise Forbidden("This account does not allow transfers.")
    chosen = checked(Transfer, {"agent_id": to_agent_id or None, "queue_id": to_queue_id or None}, "Choose an agent or a queue.")
    to_agent_id, to_queue_id = chosen.agent_id, chosen.queue_id
    if bool(to_agent_id) == bool(to_queue_id):
        raise ValidationFailed("Choose an agent or a queue.", {"to": "Choose an agent or a queue."})
    now = clock.now()
    previous_agent = existing.get("agent_id")
    if to_agent_id:
        target = get_db().users.find_one({"_id": as_oid(to_agent_id, "agent"), "active": True})
        if target is None:
            raise NotFound("No such active agent.")
        line = system_line(f"Transferred by {actor['name']} to {target['name']}", actor)
        record = {"to_agent": target["name"]}
        changes = {"agent_id": target["_id"], "agent_name": target["name"], "status": "open", "updated_at": now}
    else:
        queue = get_db().queues.find_one({"_id": as_oid(to_queue_id, "queue")})
        if queue is None:
            raise NotFound("No such queue.")
        line = system_line(f"Transferred by {actor['name']} to queue {queue['name']}", actor)
        record = {"to_queue": queue["name"]}
        changes = into_queue(queue, now)
    doc = _update(
        {"_id": existing["_id"], "is_open": True, "agent_id": previous_agent},
        {
            "$set": changes,
            "$unset": CLEAR_OVERDUE,
            "$push": {"transfers": {"at": now, "by": actor["_id"], "name": actor["name"], **record}},
            "$inc": {"seq": 1, "messages_len": 1},
        },
        Conflict("The interaction changed meanwhile; try again."),
        line,
    )
    room_access.after_change(existing, doc, line["text"])
    targets = routing.offer_targets(doc) if doc["status"] == "queued" else []
    extra = [str(previous_agent)] if previous_agent else []
    live.publish(
        doc,
        "transferred",
        # offered_to: the previous agent hears of the transfer too, but is offered it only if a target.
        {"message": plain(msgs.with_position(line, doc)), "interaction": routing.card(doc), "offered_to": targets},
        extra_agent_ids=targets + extra,
    )
    place_freed(previous_agent, doc)
    return doc


#: `$unset` with any change of an interaction's agent: the "Answer overdue" flag was about that agent's wait.
CLEAR_OVERDUE = {"sla_breached_at": ""}


def waiting_again(now):
    """The changes that make an interaction wait for an agent again: no agent, no offer, nobody's passes."""
    return {
        "agent_id": None,
        "agent_name": None,
        "status": "queued",
        "queued_at": now,
        "offer": None,
        "offer_skipped": [],
        "rejected_by": [],
        "all_rejected_at": None,
        "updated_at": now,
    }


def into_queue(queue, now):
    """The changes that put an interaction in `queue`, waiting for an agent (no offer yet)."""
    return {"queue_id": queue["_id"], "queue_name": queue["name"], **waiting_again(now)}


def place_freed(agent_id, interaction):
    """An agent's conversation closed or went elsewhere: with a limit, what waits may be offered to
    them again; one-at-a-time queues route again."""
    if agent_id is None:
        return
    if routing.agent_limits([str(agent_id)], routing.cached_queue(interaction.get("queue_id")))[str(agent_id)] is not None:
        routing.refresh_offers(agent_id)  # without a limit nothing was held back from them
    routing.route_soon()


def add_note(actor, interaction_id, text, note_id=None):
    """An internal note: a message only agents see, never sent to the provider.

    `note_id` is the browser's own id for it: sending the same note again stores it once.
    """
    existing = load_visible(actor, interaction_id, {"search_terms": 0})
    text = require_text(text, "text", NOTE_MAX)
    note = {
        "id": note_id or msgs.new_id(),
        "direction": "internal",
        "internal": True,
        "author": "agent",
        "kind": "note",
        "text": text,
        "at": clock.now(),
        "agent": {"id": str(actor["_id"]), "name": actor["name"]},
    }
    stored = message_store.get(existing["_id"], note["id"])
    if stored is not None:  # the same note again
        return message_store.public(stored)
    try:
        doc = append_line({"_id": existing["_id"]}, {"$inc": {"seq": 1, "messages_len": 1}}, note)
    except DuplicateKeyError:  # sent twice at once: the other one stored it
        return message_store.public(message_store.get(existing["_id"], note["id"]))
    live.publish(doc, "message", {"message": plain(msgs.with_position(note, doc)), "interaction": routing.card(doc)})
    return note
