"""An agent takes a bot-handled interaction over with one click: the assistant stops at once (its
writes all require status "bot") and the interaction is the agent's, as if accepted."""

from pymongo import ReturnDocument

from app.db import get_db
from app.domain import messages as msgs
from app.services import clock
from app.services.access.access_rules import load_visible, queue_ids_of
from app.services.conversations import lifecycle, live, routing
from app.services.errors import Conflict, Forbidden
from app.services.serialize import plain


def take_over(actor, interaction_id):
    """The interaction, now open and assigned to `actor`. One the assistant already handed to the
    queue is accepted as usual; Conflict when someone else has it or it is closed."""
    existing = load_visible(actor, interaction_id, {"search_terms": 0})
    if actor["role"] != "admin" and existing.get("queue_id") not in queue_ids_of(actor["_id"]):
        raise Forbidden("Only agents of this interaction's queue can take it over.")
    if existing.get("status") == "queued":
        return routing.accept(actor, interaction_id)
    now = clock.now()
    line = lifecycle.system_line(f"{actor['name']} took over from the assistant.", actor)
    who = {"id": actor["_id"], "name": actor["name"]}
    doc = lifecycle.append_line(
        {"_id": existing["_id"], "status": "bot", "is_open": True},
        {"$set": {"status": "open", "agent_id": actor["_id"], "agent_name": actor["name"], "accepted_at": now,
                  "accepted_by": who, "updated_at": now, "unread": 0,
                  "handoff": {"reason": f"Taken over by {actor['name']}.", "trigger": "takeover", "at": now}},
         "$inc": {"seq": 1, "messages_len": 1}},
        line,
    )
    if doc is None:
        current = get_db().interactions.find_one({"_id": existing["_id"]}, {"agent_name": 1, "status": 1, "is_open": 1})
        if not (current or {}).get("is_open"):
            raise Conflict("This interaction is closed.")
        if current.get("status") == "queued":  # the assistant handed over meanwhile: accept it from the queue
            return routing.accept(actor, interaction_id)
        raise Conflict(f"Already assigned to {current.get('agent_name') or 'another agent'}.")
    doc = get_db().interactions.find_one_and_update(
        {"_id": doc["_id"], "first_agent_id": None}, {"$set": {"first_agent_id": actor["_id"]}},
        projection={"search_terms": 0}, return_document=ReturnDocument.AFTER) or doc
    live.publish(doc, "assigned", {"agent": {"id": str(actor["_id"]), "name": actor["name"]},
                                   "message": plain(msgs.with_position(line, doc)), "interaction": routing.card(doc)})
    return doc
