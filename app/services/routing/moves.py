"""Interactions a person moves: an admin returns an assigned one to its queue, or gives a waiting one
to an agent of its queue. Either way the queue's routing takes it from there (app/services/routing/dispatcher.py)."""

from app.db import get_db
from app.domain import messages as msgs
from app.services import clock
from app.services.access import room_access
from app.services.access.access_rules import as_oid, load_visible
from app.services.conversations import lifecycle, live
from app.services.conversations import routing as offers
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.serialize import plain


def requeue(interaction_id, reason, actor=None):
    """Back to status "queued" with no agent (unread kept), `reason` as its system line (by `actor`,
    when a person did it); the previous agent leaves its room, told `reason`, and the queue offers it
    again as it offers a new one. The interaction after the change."""
    existing = get_db().interactions.find_one({"_id": interaction_id}, {"search_terms": 0})
    if existing is None:
        raise NotFound("No such interaction.")
    if not existing.get("is_open") or existing.get("agent_id") is None:
        raise Conflict("Only an open interaction assigned to an agent can go back to the queue.")
    now = clock.now()
    line = lifecycle.system_line(reason, actor)
    doc = lifecycle.append_line(
        {"_id": existing["_id"], "is_open": True, "status": "open", "agent_id": existing["agent_id"]},
        {
            "$set": lifecycle.waiting_again(now),
            "$unset": lifecycle.CLEAR_OVERDUE,
            "$inc": {"seq": 1, "messages_len": 1},
        },
        line,
    )
    if doc is None:
        raise Conflict("The interaction changed meanwhile; try again.")
    room_access.take_out(existing["agent_id"], doc["_id"], reason)
    payload = {"message": plain(msgs.with_position(line, doc)), "interaction": offers.card(doc)}
    live.publish(doc, "offer", payload, extra_agent_ids=offers.offer_targets(doc))
    lifecycle.place_freed(existing["agent_id"], doc)
    return doc


def assign(actor, interaction_id, agent_id):
    """An admin gives the waiting interaction to an active agent of its queue, as if they had accepted
    it: their choice goes past the agent's presence and limit. The accept's atomic update on status
    "queued", so an agent's accept or another admin's assign at the same moment wins or loses whole."""
    if actor.get("role") != "admin":
        raise Forbidden("Only admins assign interactions.")
    existing = load_visible(actor, interaction_id, {"search_terms": 0})
    agent = _queue_agent(existing.get("queue_id"), agent_id)
    line = lifecycle.system_line(f"Assigned to {agent['name']} by {actor['name']}", actor)
    try:
        return offers.take(agent, existing, line=line)
    except Conflict:
        raise _no_longer_waiting(existing["_id"]) from None


def _queue_agent(queue_id, agent_id):
    """The active agent `agent_id` of the queue, or ValidationFailed on agent_id."""
    if not agent_id:
        raise ValidationFailed("Choose an agent.", {"agent_id": "Choose an agent."})
    try:
        oid = as_oid(agent_id, "agent")
    except NotFound:  # an unreadable id is refused as an unknown one
        oid = None
    if oid is None or str(oid) not in offers.queue_agent_ids(queue_id):
        raise ValidationFailed("Choose an active agent of this queue.", {"agent_id": "Not an active agent of this queue."})
    return get_db().users.find_one({"_id": oid}, {"name": 1, "max_open": 1})


def _no_longer_waiting(interaction_id):
    current = get_db().interactions.find_one({"_id": interaction_id}, {"status": 1, "agent_name": 1})
    if not current or current.get("status") == "closed":
        return Conflict("This interaction is closed.")
    if current.get("agent_name"):
        return Conflict(f"No longer waiting: already assigned to {current['agent_name']}.")
    return Conflict("This interaction is no longer waiting in the queue.")
