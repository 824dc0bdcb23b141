"""Customers waiting in a queue: what they are told, and what agents are told about them.

After a customer's message is stored on a queued interaction, a job (`customer_wrote`) decides:
- the queue is closed (business hours): a system line tells agents when it opens (once per wait), and
  the customer gets the queue's out-of-hours reply;
- the queue is open: one automatic reply made of the enabled parts that apply: "we received your
  message" (a new or reopened interaction), "no agent is available" (none of the queue's agents is
  online), the position in the queue with the estimated wait.
Every automatic reply is a business message of author "system" marked `automatic`, sent by the normal
delivery job; it goes only inside the 24-hour window, only while the interaction waits (an agent who
accepted it meanwhile stops it), and at most one per customer every `every_minutes` (reply_limit).
"""

from app import jobs
from app.db import get_db
from app.domain import messages as msgs
from app.domain.window import is_open as window_is_open
from app.services import clock
from app.services.conversations import business_messages, lifecycle, live, routing
from app.services.routing import hours, presence, reply_limit, waiting_estimate
from app.services.routing.queue_settings import hours_of, waiting_of, wants_followup
from app.services.serialize import plain

AUTHOR = "system"


def after_customer_message(interaction, message, how):
    """Queue the waiting-customer job for a customer's message on a queued interaction, when its queue
    has hours or automatic messages (the queue comes from the configuration cache: no database read)."""
    if interaction.get("status") != "queued" or not wants_followup(routing.cached_queue(interaction.get("queue_id"))):
        return None
    return jobs.enqueue(jobs.ANSWER_WAITING_CUSTOMER, interaction_id=str(interaction["_id"]), message_id=message["id"],
                        how=how)


def customer_wrote(interaction_id, how):
    """What the customer who just wrote on the waiting interaction is told; returns what happened."""
    interaction = get_db().interactions.find_one({"_id": interaction_id, "status": "queued", "is_open": True},
                                                 {"search_terms": 0})
    if interaction is None:
        return "not-waiting"
    queue = routing.cached_queue(interaction.get("queue_id"))
    now = clock.now()
    if hours.is_open(queue, now):
        text = _waiting_reply(interaction, queue, how)
    else:
        _note_closed(interaction, queue, now)
        text = hours_of(queue)["out_of_hours_message"]
    if not text:
        return "nothing-to-send"
    if not window_is_open(interaction, now):
        return "window-closed"
    account_id, contact_id = interaction["account_id"], interaction["contact_id"]
    if not reply_limit.claim(account_id, contact_id, waiting_of(queue)["every_minutes"]):
        return "rate-limited"
    audience = routing.offer_targets(interaction) if hours.is_open(queue, now) else ()
    if business_messages.post_text({"_id": interaction["_id"], "status": "queued"}, text, AUTHOR, audience=audience,
                                   automatic=True) is None:
        reply_limit.release(account_id, contact_id)
        return "not-waiting"
    return "sent"


def _waiting_reply(interaction, queue, how):
    """The enabled parts of the automatic reply that apply now, as one message."""
    waiting = waiting_of(queue)
    parts = []
    if waiting["received"]["enabled"] and how in ("created", "reopened"):
        parts.append(waiting["received"]["text"])
    if waiting["no_agents"]["enabled"] or waiting["position"]["enabled"]:
        online = _online_agents(queue)
        if waiting["no_agents"]["enabled"] and online == 0:
            parts.append(waiting["no_agents"]["text"])
        if waiting["position"]["enabled"]:
            parts.append(_position_text(interaction, waiting["position"]["text"], online))
    return "\n\n".join(parts)


def _online_agents(queue):
    agent_ids = routing.queue_agent_ids(queue["_id"])
    return len(presence.available(agent_ids))


def _position_text(interaction, template, online):
    place = waiting_estimate.position(interaction)
    typical = waiting_estimate.typical_wait(interaction.get("queue_id"))
    wait = waiting_estimate.human(waiting_estimate.estimated_wait(typical, place, online))
    return template.replace("{position}", str(place)).replace("{wait}", wait)


def _note_closed(interaction, queue, now):
    """Tell agents, once per wait, that the interaction came outside business hours and when the queue opens."""
    since = interaction.get("queued_at") or interaction.get("reopened_at") or interaction.get("created_at")
    opens = hours.next_opening(queue, now)
    when = f"the queue opens {hours.describe(opens, queue)}" if opens else "no opening is scheduled"
    line = lifecycle.system_line(f"Received outside business hours; {when}.")
    doc = lifecycle.append_line(
        {"_id": interaction["_id"], "status": "queued", "is_open": True, "out_of_hours.since": {"$ne": since}},
        {"$set": {"out_of_hours": {"since": since, "opens": opens}, "updated_at": now}, "$inc": {"seq": 1, "messages_len": 1}},
        line,
    )
    if doc is not None:
        live.publish(doc, "message", {"message": plain(msgs.with_position(line, doc)), "interaction": routing.card(doc)})
