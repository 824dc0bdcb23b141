"""The first-response target (a queue's `routing.first_response_minutes`): an assigned interaction whose
customer waits too long for an agent's answer is flagged to admins, who may return it to the queue.

The rule chosen: every customer message waits for an answer, not only the first. The clock starts at
the customer's earliest message no agent has answered yet (`awaiting_reply_since`, kept by the
inbound path and cleared by an agent's message), or when the current agent got the interaction
(accepted, transferred to them, reopened), whichever is later: an agent is never flagged for time
the customer spent waiting in the queue or with someone else. The first response after accepting is
the floor of this rule: it is measured the same way.

A flagged interaction carries `sla_breached_at` (the moment the target passed) until an agent answers
or it goes back to the queue; it is flagged once per wait, whatever the number of runs or workers.
"""

from datetime import timedelta

from pymongo import ReturnDocument

from app.db import get_db
from app.services import clock
from app.services.access.access_rules import load_visible
from app.services.conversations import live, routing
from app.services.errors import Conflict, Forbidden
from app.services.routing import moves

FIELDS = {"awaiting_reply_since": 1, "accepted_at": 1, "reopened_at": 1, "transfers": 1, "agent_id": 1}


def target_minutes(queue):
    return ((queue or {}).get("routing") or {}).get("first_response_minutes")


def waiting_since(interaction):
    """When the customer's unanswered wait began for the current agent, or None when nothing waits."""
    awaiting = interaction.get("awaiting_reply_since")
    if awaiting is None or interaction.get("agent_id") is None:
        return None
    handed = [interaction.get("accepted_at"), interaction.get("reopened_at")]
    handed += [t["at"] for t in interaction.get("transfers") or [] if t.get("to_agent")]
    return max(clock.aware(moment) for moment in [awaiting, *handed] if moment is not None)


def flag_overdue(queues):
    """Flag the queues' assigned interactions waiting past their target; returns how many were flagged."""
    now = clock.now()
    flagged = 0
    for queue in queues:
        minutes = target_minutes(queue)
        if not minutes:
            continue
        cutoff = now - timedelta(minutes=minutes)
        due = {"queue_id": queue["_id"], "status": "open", "awaiting_reply_since": {"$lte": cutoff}, "sla_breached_at": None}
        for candidate in get_db().interactions.find(due, FIELDS):
            since = waiting_since(candidate)
            if since is not None and since <= cutoff:
                flagged += _flag(candidate, since + timedelta(minutes=minutes))
    return flagged


def _flag(candidate, breached_at):
    """Mark it, unless it changed since it was read (answered, reassigned, flagged by another run)."""
    doc = get_db().interactions.find_one_and_update(
        {
            "_id": candidate["_id"],
            "status": "open",
            "agent_id": candidate["agent_id"],
            "awaiting_reply_since": candidate["awaiting_reply_since"],
            "sla_breached_at": None,
        },
        {"$set": {"sla_breached_at": breached_at}, "$inc": {"seq": 1}},
        projection={"search_terms": 0},
        return_document=ReturnDocument.AFTER,
    )
    if doc is None:
        return 0
    live.publish(doc, "sla_breached", {"interaction": routing.card(doc)})
    return 1


def return_to_queue(actor, interaction_id):
    """An admin takes an open, assigned interaction from its agent and offers it to the queue again."""
    existing = load_visible(actor, interaction_id, {"search_terms": 0})  # an unknown id is a 404 for everyone
    if actor["role"] != "admin":
        raise Forbidden("Only admins can return an interaction to the queue.")
    if not existing.get("is_open") or existing.get("status") != "open" or existing.get("agent_id") is None:
        raise Conflict("Only an open interaction assigned to an agent can be returned to the queue.")
    since = waiting_since(existing)
    reason = f"Returned to the queue by {actor['name']}"
    if since is not None:
        waited = int((clock.now() - since).total_seconds() // 60)
        reason += f": no answer for {waited} minute{'' if waited == 1 else 's'}"
    return moves.requeue(existing["_id"], reason, actor)  # the overdue flag goes with the agent
