"""Text messages the business sends by itself (the assistant's answers, the automatic replies to a
waiting customer): stored on the interaction as an agent's are, shown live, and sent by the normal
delivery job (window rules, statuses, retries)."""

from app.domain import messages as msgs
from app.services import clock
from app.services.conversations import lifecycle, live, routing
from app.services.conversations.delivery import enqueue_delivery
from app.services.serialize import plain


def post_text(key, text, author, changes=None, counters=None, audience=(), **fields):
    """Store a text of `author` on the open interaction matching `key` and queue its sending; `changes` and
    `counters` join the interaction's update, `audience` (agent ids) hears of it besides its usual rooms.
    The stored message, or None when no open interaction matches `key` (it moved on meanwhile)."""
    now = clock.now()
    message = {"id": msgs.new_id(), "direction": "out", "author": author, "kind": "text", "status": "queued",
               "status_rank": msgs.STATUS_RANK["queued"], "at": now, "reactions": {}, "text": text, **fields}
    update = {
        "$set": {"updated_at": now, "last_message": msgs.summary(message), "last_outbound_message_id": message["id"],
                 **(changes or {})},
        "$inc": {"seq": 1, "messages_len": 1, "message_count": 1, **(counters or {})},
    }
    doc = lifecycle.append_line({**key, "is_open": True}, update, message)
    if doc is None:
        return None
    live.publish(doc, "message", {"message": plain(msgs.with_position(message, doc)), "interaction": routing.card(doc)},
                 extra_agent_ids=audience)
    enqueue_delivery(doc["_id"], message["id"])
    return message
