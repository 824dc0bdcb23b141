"""Live events about interactions: numbered per interaction, kept for replay, pushed over Socket.IO.

Every change to an interaction increments its `seq` in the same atomic update that makes the
change; the event carries that number. A browser that reconnects asks for the events after the
last number it saw (`events_since`) and so never shows a gap or a duplicate.
"""

from app.db import get_db
from app.realtime.push import ADMINS_ROOM, agent_room, emit
from app.services import clock


def interaction_room(interaction_id):
    return f"interaction:{interaction_id}"


def rooms_for(interaction, extra_agent_ids=()):
    """Who may see this interaction's events: its agent, admins, watchers, and any offered agents."""
    rooms = [interaction_room(interaction["_id"]), ADMINS_ROOM]
    if interaction.get("agent_id"):
        rooms.append(agent_room(interaction["agent_id"]))
    rooms.extend(agent_room(agent_id) for agent_id in extra_agent_ids)
    return list(dict.fromkeys(rooms))


def publish(interaction, event, payload, extra_agent_ids=()):
    """Record and push `event`; `interaction` is the document as returned by the update that bumped seq."""
    record = {
        "interaction_id": interaction["_id"],
        "seq": interaction["seq"],
        "event": event,
        "payload": payload,
        "at": clock.now(),
    }
    get_db().interaction_events.insert_one(record)
    emit(event, _wire(record), rooms_for(interaction, extra_agent_ids))
    return record


def _wire(record):
    return {"interaction_id": str(record["interaction_id"]), "seq": record["seq"], "event": record["event"], **record["payload"]}


def events_since(interaction_id, after_seq, limit=500):
    cursor = get_db().interaction_events.find({"interaction_id": interaction_id, "seq": {"$gt": after_seq}}).sort("seq", 1)
    return [_wire(record) for record in cursor.limit(limit)]


def emit_admins(event, payload):
    """Account-level news for admins (e.g. an account needs re-authorization)."""
    emit(event, payload, ADMINS_ROOM)
