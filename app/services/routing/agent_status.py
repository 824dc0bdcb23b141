"""What follows an agent's presence change: admins and the agent's other pages hear it, their offers
are sent again (a Paused agent's cards go, an agent back Online sees what waits) and one-at-a-time
queues route again (an offer held by an agent who left moves on at once)."""

from redis.exceptions import RedisError

from app.db import get_db
from app.realtime import push
from app.services.conversations import routing
from app.services.errors import Unavailable, ValidationFailed
from app.services.routing import presence
from app.services.serialize import plain
from app.services.setup.labels import pause_reason_names

STATE_EVENT = "agent_state"


def change(user, state, reason=None):
    """The agent sets their own state from the desktop; a pause needs one of the admins' reasons."""
    reason = (reason or "").strip() or None
    if state == presence.PAUSED and reason not in pause_reason_names():
        raise ValidationFailed("Choose why you pause.", {"reason": "Choose one of the pause reasons."})
    try:
        now = presence.set_state(user["_id"], state, reason)
    except RedisError:
        raise Unavailable("Your status could not be saved just now; try again in a moment.") from None
    _after(user, now)
    return now


def on_connect(user):
    """A socket of the user connected: back from a disconnection, they get what they had chosen."""
    changed = presence.connected(user["_id"])
    if changed is not None:
        _after(user, changed)


def on_disconnect(user_id):
    """One of the user's sockets closed: with none left anywhere, their grace period starts."""
    if not push.user_sids(user_id):
        presence.disconnected(user_id)


def sweep(grace_seconds):
    """Agents away past the grace period go Offline; returns their ids."""
    gone = presence.sweep(grace_seconds)
    if gone:
        found = get_db().users.find({"_id": {"$in": [routing.object_id(a) for a in gone]}}, {"name": 1})
        names = {str(u["_id"]): u for u in found}
        for user_id in gone:
            announce(
                names.get(user_id) or {"_id": user_id, "name": ""},
                presence.state_of(user_id),
            )
        routing.route_soon()
    return gone


def announce(user, state):
    payload = plain(
        {
            "agent_id": str(user["_id"]),
            "name": user.get("name"),
            **state,
            "label": presence.describe(state),
        }
    )
    push.emit(STATE_EVENT, payload, [push.ADMINS_ROOM, push.agent_room(user["_id"])])


def _after(user, state):
    announce(user, state)
    routing.refresh_offers(user["_id"])
    routing.route_soon()
