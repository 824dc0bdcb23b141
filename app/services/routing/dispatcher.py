"""Putting interactions in front of agents: here, returning an assigned interaction to its queue.

`requeue` takes an open, assigned interaction from its agent and offers it again to the queue's
online agents, with a system line saying why.
"""

from app.db import get_db
from app.domain import messages as msgs
from app.services import clock
from app.services.access import room_access
from app.services.conversations import lifecycle, live, routing
from app.services.errors import Conflict, NotFound
from app.services.serialize import plain


def requeue(interaction_id, reason, actor=None):
    """Back to status "queued" with no agent (unread kept), `reason` as its system line (by `actor`,
    when a person did it); the previous agent leaves its room, told `reason`, and the queue's online
    agents are offered it. The interaction after the change."""
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
            "$set": {
                "status": "queued",
                "agent_id": None,
                "agent_name": None,
                "queued_at": now,
                "rejected_by": [],
                "all_rejected_at": None,
                "updated_at": now,
            },
            "$inc": {"seq": 1, "messages_len": 1},
        },
        line,
    )
    if doc is None:
        raise Conflict("The interaction changed meanwhile; try again.")
    room_access.take_out(existing["agent_id"], doc["_id"], reason)
    payload = {"message": plain(msgs.with_position(line, doc)), "interaction": routing.card(doc)}
    live.publish(doc, "offer", payload, extra_agent_ids=routing.offer_targets(doc))
    return doc
