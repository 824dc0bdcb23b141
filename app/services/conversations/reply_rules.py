"""What a customer's choice from an agent's interactive message does, by the account's settings.

`settings.closing_reply_ids`: choosing one of these button or row ids closes the interaction (as
"close on quick reply" does for a template's quick-reply buttons, which stays a setting of its own).
`settings.reply_routes`: [{id, queue_id}]: choosing that id while the interaction waits in its
queue or the AI assistant has it moves it to that queue, as a transfer by the system, offered there
as its queue offers. An interaction an agent holds stays with that agent.
"""

from app.domain import messages as msgs
from app.services import clock
from app.services.access import room_access
from app.services.conversations import lifecycle, live, routing
from app.services.routing import hours
from app.services.serialize import plain

REPLY_KINDS = ("button_reply", "list_reply")
#: Interactions a route may move: waiting for an agent, or answered by the AI assistant.
MOVABLE = ("queued", "bot")


def after_reply(account, interaction, message):
    """Apply the account's rules to a stored customer message (nothing unless it is a choice)."""
    if message.get("kind") not in REPLY_KINDS:
        return None
    reply = message.get("reply") or {}
    choice, title = reply.get("id"), reply.get("title") or reply.get("id")
    settings = account.get("settings") or {}
    if not choice:
        return None
    if choice in (settings.get("closing_reply_ids") or []):
        return lifecycle.close_by_system(interaction["_id"], f"Closed automatically: the customer chose “{title}”.")
    route = next((r for r in settings.get("reply_routes") or [] if r.get("id") == choice), None)
    if route is None or route.get("queue_id") == interaction.get("queue_id"):
        return None
    return _move(interaction, route["queue_id"], title)


def _move(interaction, queue_id, title):
    queue = routing.cached_queue(queue_id)
    if queue is None:  # the queue was deleted since the rule was saved
        return None
    now = clock.now()
    line = lifecycle.system_line(f"Moved to queue {queue['name']}: the customer chose “{title}”")
    doc = lifecycle.append_line(
        {"_id": interaction["_id"], "is_open": True, "status": {"$in": list(MOVABLE)}, "agent_id": None},
        {
            "$set": lifecycle.into_queue(queue, now),
            "$push": {"transfers": {"at": now, "by": None, "name": "System", "to_queue": queue["name"], "reason": "reply"}},
            "$inc": {"seq": 1, "messages_len": 1},
        },
        line,
    )
    if doc is None:  # an agent took it meanwhile, or it closed
        return None
    room_access.after_change(interaction, doc, line["text"])
    offered = hours.is_open(queue, now)
    targets = routing.offer_targets(doc) if offered else []
    live.publish(
        doc,
        "transferred",
        {"message": plain(msgs.with_position(line, doc)), "interaction": routing.card(doc), "offered_to": targets},
        extra_agent_ids=targets,
    )
    if offered and routing.one_at_a_time(doc.get("queue_id")):
        routing.route_soon()
    return doc
