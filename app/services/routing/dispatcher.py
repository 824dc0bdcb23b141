"""Handing waiting interactions to agents. Here: an admin moves a waiting interaction to an agent."""

from app.db import get_db
from app.domain import messages as msgs
from app.services import clock
from app.services.access.access_rules import as_oid, load_visible
from app.services.conversations import live, routing
from app.services.conversations.lifecycle import append_line, system_line
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.serialize import plain


def assign(actor, interaction_id, agent_id):
    """Give the waiting (queued) interaction to an active agent of its queue, as if they had accepted
    it; the admin's choice goes past the agent's presence and capacity. One atomic update on status
    "queued", so an agent's accept or another admin's assign at the same moment wins or loses whole."""
    if actor.get("role") != "admin":
        raise Forbidden("Only admins assign interactions.")
    existing = load_visible(actor, interaction_id, {"search_terms": 0})
    agent = _queue_agent(existing.get("queue_id"), agent_id)
    targets = routing.offer_targets(existing)
    now = clock.now()
    line = system_line(f"Assigned to {agent['name']} by {actor['name']}", actor)
    doc = append_line(
        {"_id": existing["_id"], "status": "queued", "is_open": True},
        {
            "$set": {
                "status": "open",
                "agent_id": agent["_id"],
                "agent_name": agent["name"],
                "accepted_at": now,
                "accepted_by": {"id": agent["_id"], "name": agent["name"]},
                "updated_at": now,
            },
            "$inc": {"seq": 1, "messages_len": 1},
        },
        line,
    )
    if doc is None:
        raise _no_longer_waiting(existing["_id"])
    get_db().interactions.update_one({"_id": doc["_id"], "first_agent_id": None}, {"$set": {"first_agent_id": agent["_id"]}})
    live.publish(
        doc,
        "assigned",
        {
            "agent": {"id": str(agent["_id"]), "name": agent["name"]},
            "interaction": routing.card(doc),
            "message": plain(msgs.with_position(line, doc)),
        },
        extra_agent_ids=targets,
    )
    return doc


def _queue_agent(queue_id, agent_id):
    """The active agent `agent_id` of the queue, or ValidationFailed on agent_id."""
    if not agent_id:
        raise ValidationFailed("Choose an agent.", {"agent_id": "Choose an agent."})
    try:
        oid = as_oid(agent_id, "agent")
    except NotFound:  # an unreadable id is refused as an unknown one
        oid = None
    if oid is None or str(oid) not in routing.queue_agent_ids(queue_id):
        raise ValidationFailed("Choose an active agent of this queue.", {"agent_id": "Not an active agent of this queue."})
    return get_db().users.find_one({"_id": oid}, {"name": 1})


def _no_longer_waiting(interaction_id):
    current = get_db().interactions.find_one({"_id": interaction_id}, {"status": 1, "agent_name": 1})
    if not current or current.get("status") == "closed":
        return Conflict("This interaction is closed.")
    if current.get("agent_name"):
        return Conflict(f"No longer waiting: already assigned to {current['agent_name']}.")
    return Conflict("This interaction is no longer waiting in the queue.")
