"""Socket.IO events about interactions: waiting offers at connect, watching, and catching up.

Every handler re-checks the signed-in user (a deactivated agent's session stops working at
once) and whether they may see the interaction. Actions (accept, send, close…) go through the
REST API; sockets carry events.
"""

from flask_login import current_user
from flask_socketio import leave_room
from redis.exceptions import RedisError

from app import realtime
from app.extensions import socketio
from app.services.access.access_rules import load_visible
from app.services.conversations import live, routing
from app.services.errors import ServiceError


def send_waiting_offers(user, sid):
    if user["role"] == "agent":
        socketio.emit("offers", {"interactions": routing.waiting_for(user)}, to=sid)


def _visible(data):
    """The interaction the event names, if the signed-in user may see it; else an error dict."""
    if not current_user.is_authenticated:
        return None, {"error": "unauthorized"}
    interaction_id = (data or {}).get("interaction_id") if isinstance(data, dict) else None
    try:
        return load_visible(current_user.doc, interaction_id, {"_id": 1, "seq": 1}), None
    except ServiceError as exc:
        return None, {"error": exc.code, "message": exc.message}


def on_watch(data):
    """Join the interaction's room, then check again: an access change that raced with the join
    may have evicted this socket before it was in the room."""
    interaction, error = _visible(data)
    if error:
        return error
    room = live.interaction_room(interaction["_id"])
    try:
        realtime.watch_room(room)
    except RedisError:
        leave_room(room)
        return {"error": "unavailable", "message": "Live updates are unavailable; try again shortly."}
    interaction, error = _visible(data)
    if error:
        realtime.unwatch_room(room)
        return error
    return {"ok": True, "seq": interaction["seq"]}


def on_unwatch(data):
    interaction, error = _visible(data)
    if error:
        return error
    realtime.unwatch_room(live.interaction_room(interaction["_id"]))
    return {"ok": True}


def on_sync(data):
    """Events after `after_seq`, in order: what a reconnecting browser missed."""
    interaction, error = _visible(data)
    if error:
        return error
    after = data.get("after_seq", 0)
    if not isinstance(after, int) or after < 0:
        return {"error": "bad_request", "message": "after_seq must be a whole number."}
    return {"events": live.events_since(interaction["_id"], after), "seq": interaction["seq"]}


def init_app(app):
    if send_waiting_offers not in realtime.connect_hooks:
        realtime.connect_hooks.append(send_waiting_offers)
    socketio.on_event("watch", on_watch)
    socketio.on_event("unwatch", on_unwatch)
    socketio.on_event("sync", on_sync)
