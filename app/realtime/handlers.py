"""Socket.IO event handlers: authenticated connect, waiting offers, watching, and catching up.

Every handler re-checks the signed-in user (a deactivated agent's session stops working at
once) and whether they may see the interaction. Actions (accept, send, close…) go through the
REST API; sockets carry events. What handlers record in Redis goes through app/realtime/push.py.
"""

import logging
import threading
import time

from flask import request
from flask_login import current_user
from flask_socketio import join_room, leave_room
from redis.exceptions import RedisError

from app.extensions import socketio
from app.observability import metrics
from app.realtime import push
from app.realtime.message_queue import PipelinedRedisManager
from app.services.access import room_access
from app.services.access.access_rules import load_visible
from app.services.campaigns import campaign_progress
from app.services.conversations import live, routing
from app.services.errors import ServiceError
from app.services.people import users
from app.services.routing import agent_status

# Which user each socket of this process belongs to: a disconnect is handled by the process
# holding the socket, after sign-out may already have emptied the session.
_socket_users = {}
_admin_sids = set()  # this process's admins' sockets: while it holds one, it publishes campaigns' progress
_heartbeat = {"started": False, "lock": threading.Lock()}
FAULT_PAUSE = 5.0
log = logging.getLogger(__name__)


def on_connect(auth=None):
    if not current_user.is_authenticated:
        raise ConnectionRefusedError("unauthorized")
    push.list_socket(current_user.id, request.sid)
    _refuse_if_signed_out_meanwhile()
    push.mark_online(current_user.id, request.sid)
    _socket_users[request.sid] = current_user.id
    _start_background_tasks()
    _presence_after(agent_status.on_connect, current_user.doc)
    join_room(push.agent_room(current_user.id))
    if current_user.is_admin:
        join_room(push.ADMINS_ROOM)
        _admin_sids.add(request.sid)
    socketio.emit("welcome", {"user": {"id": current_user.id, "name": current_user.name}}, to=request.sid)
    send_waiting_offers(current_user.doc, request.sid)


def _refuse_if_signed_out_meanwhile():
    """Close the race with disconnect_user: a sign-out that ran after the session was checked but
    before this socket was listed in Redis did not see it, so look at the session version again."""
    doc = users.get_user(current_user.id)
    if doc is not None and users.session_version(doc) == users.session_version(current_user.doc):
        return
    push.unlist_socket(current_user.id, request.sid)
    raise ConnectionRefusedError("unauthorized")


def on_disconnect(reason=None):
    user_id = _socket_users.pop(request.sid, None)
    _admin_sids.discard(request.sid)
    if user_id is None:
        return
    push.socket_closed(user_id, request.sid)
    _presence_after(agent_status.on_disconnect, user_id)


def _presence_after(change, argument):
    """Presence follows sockets when Redis answers; when it does not, the sweep catches up later."""
    try:
        change(argument)
    except RedisError:
        log.warning("presence not updated: Redis does not answer")


def _start_background_tasks():
    """Once per process, at its first socket: only processes holding sockets keep presence alive, and
    only those holding an admin's publish the campaigns' progress (no one else would hear it)."""
    with _heartbeat["lock"]:
        if _heartbeat["started"]:
            return
        _heartbeat["started"] = True
    socketio.start_background_task(_keep_presence_alive)
    socketio.start_background_task(_publish_campaign_progress)


def _keep_presence_alive():
    """Refresh this process's sockets' presence; when the process dies, they expire with the TTL.
    Wakes every second so that a new TTL (tests configure several apps in one process) applies at once."""
    last = time.monotonic()
    while True:
        socketio.sleep(min(1.0, push.heartbeat_interval()))
        if time.monotonic() - last < push.heartbeat_interval():
            continue
        last = time.monotonic()
        try:
            sockets = list(_socket_users.items())
            push.keep_online(sockets)
            # A socket that closed while its entry was refreshed would be online until the TTL.
            closed = [(sid, user_id) for sid, user_id in sockets if sid not in _socket_users]
            for sid, user_id in closed:
                push.socket_closed(user_id, sid)
        except Exception:  # the loop must outlive any fault, or every socket of this process goes offline
            log.exception("presence heartbeat failed")


def _publish_campaign_progress():
    """Publish the progress of the campaigns that changed, a few times a second while this process
    holds an admin's socket (campaign_progress.py); after a fault (Redis down), again in FAULT_PAUSE
    seconds rather than a log line every sweep."""
    pause = campaign_progress.SWEEP_SECONDS
    while True:
        socketio.sleep(pause)
        pause = campaign_progress.SWEEP_SECONDS
        if not _admin_sids:
            continue
        try:
            campaign_progress.publish_changed()
        except Exception:  # the loop must outlive any fault, or this process stops publishing for good
            log.exception("campaign progress not published")
            pause = FAULT_PAUSE


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


def watch_room(room):
    """Join `room` with the current socket and record it, so an eviction can find it later."""
    join_room(room)
    push.record_watch(request.sid, room)


def unwatch_room(room):
    leave_room(room)
    push.forget_watch(request.sid, room)


def on_watch(data):
    """Join the interaction's room, then check again: an access change that raced with the join
    may have evicted this socket before it was in the room. A refusal says why access was lost,
    when an eviction said so (the desktop's socket may have been away when it was told)."""
    interaction, error = _visible(data)
    if error:
        return _with_reason(error, data)
    room = live.interaction_room(interaction["_id"])
    try:
        watch_room(room)
    except RedisError:
        leave_room(room)
        return {"error": "unavailable", "message": "Live updates are unavailable; try again shortly."}
    interaction, error = _visible(data)
    if error:
        unwatch_room(room)
        return _with_reason(error, data)
    return {"ok": True, "seq": interaction["seq"]}


def _with_reason(error, data):
    if error.get("error") == "forbidden" and isinstance(data, dict):
        reason = room_access.evicted_because(current_user.doc["_id"], str(data.get("interaction_id")))
        if reason:
            return {**error, "reason": reason}
    return error


def on_unwatch(data):
    interaction, error = _visible(data)
    if error:
        return error
    unwatch_room(live.interaction_room(interaction["_id"]))
    return {"ok": True}


def on_sync(data):
    """Events after `after_seq`, in order: what a reconnecting browser missed."""
    interaction, error = _visible(data)
    if error:
        return error
    after = data.get("after_seq", 0)
    if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after < 2**63:
        return {"error": "bad_request", "message": "after_seq must be a whole number."}
    return {**live.events_since(interaction["_id"], after, interaction["seq"]), "seq": interaction["seq"]}


def init_app(app):
    push.configure(app.config["PARLEY_PRESENCE_TTL_SECONDS"])
    live.configure(app.config["PARLEY_LIVE_EVENTS_KEPT"], app.config["PARLEY_LIVE_EVENTS_TTL_SECONDS"])
    socketio.init_app(
        app,
        async_mode=app.config["PARLEY_ASYNC_MODE"],
        message_queue=app.config["REDIS_URL"],
        client_manager=PipelinedRedisManager(app.config["REDIS_URL"], channel="flask-socketio"),
        logger=False,
        engineio_logger=False,
    )
    metrics.SOCKETS.set_function(lambda: len(_socket_users))
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    socketio.on_event("watch", on_watch)
    socketio.on_event("unwatch", on_unwatch)
    socketio.on_event("sync", on_sync)
