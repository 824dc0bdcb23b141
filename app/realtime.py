"""Socket.IO: authenticated connections, rooms, presence, and emitting from any process.

Rooms: agent:<user id>, queue:<queue id>, interaction:<id>, admins. Emits go through the
Redis message queue, so a worker process reaches browsers connected to any web process.
"""

import logging

from flask import request
from flask_login import current_user
from flask_socketio import join_room
from redis.exceptions import RedisError

from app import queues
from app.extensions import socketio
from app.services import users

log = logging.getLogger(__name__)

ONLINE_KEY = "parley:presence:online"

# Which user each socket of this process belongs to: a disconnect is handled by the process
# holding the socket, after sign-out may already have emptied the session.
_socket_users = {}


def _sids_key(user_id):
    return f"parley:presence:sids:{user_id}"


def agent_room(user_id):
    return f"agent:{user_id}"


def emit(event, data, room):
    """Send `event` to a room from anywhere: a view, a Socket.IO handler or an RQ job."""
    socketio.emit(event, data, to=room, namespace="/")


def online_user_ids():
    try:
        return {m.decode() for m in queues.get_redis().smembers(ONLINE_KEY)}
    except RedisError:
        log.warning("presence unavailable: Redis does not answer")
        return set()


def disconnect_user(user_id):
    """Close every socket of the user, on whichever web process holds it."""
    try:
        sids = [s.decode() for s in queues.get_redis().smembers(_sids_key(user_id))]
    except RedisError:
        log.warning("sockets of %s not closed: Redis does not answer; their next event is refused", user_id)
        sids = []
    # Told first, then closed: both go through the message queue in this order, so each page
    # hears why and goes to the sign-in page instead of reconnecting.
    emit("session_ended", {}, agent_room(user_id))
    for sid in sids:
        socketio.server.disconnect(sid, namespace="/")


# Functions called with the user's document after a socket connects (e.g. to send waiting offers).
connect_hooks = []


def on_connect(auth=None):
    if not current_user.is_authenticated:
        raise ConnectionRefusedError("unauthorized")
    try:
        queues.get_redis().sadd(_sids_key(current_user.id), request.sid)
    except RedisError:
        log.warning("socket of %s not listed: Redis does not answer", current_user.id)
    _refuse_if_signed_out_meanwhile()
    try:
        queues.get_redis().sadd(ONLINE_KEY, current_user.id)
    except RedisError:
        log.warning("presence not recorded for %s: Redis does not answer", current_user.id)
    _socket_users[request.sid] = current_user.id
    join_room(agent_room(current_user.id))
    if current_user.is_admin:
        join_room("admins")
    socketio.emit("welcome", {"user": {"id": current_user.id, "name": current_user.name}}, to=request.sid)
    for hook in connect_hooks:
        hook(current_user.doc, request.sid)


def _refuse_if_signed_out_meanwhile():
    """Close the race with disconnect_user: a sign-out that ran after the session was checked but
    before this socket was listed in Redis did not see it, so look at the session version again."""
    doc = users.get_user(current_user.id)
    if doc is not None and users.session_version(doc) == users.session_version(current_user.doc):
        return
    try:
        queues.get_redis().srem(_sids_key(current_user.id), request.sid)
    except RedisError:
        pass
    raise ConnectionRefusedError("unauthorized")


def on_disconnect(reason=None):
    user_id = _socket_users.pop(request.sid, None)
    if user_id is None:
        return
    try:
        redis = queues.get_redis()
        redis.srem(_sids_key(user_id), request.sid)
        if redis.scard(_sids_key(user_id)) == 0:
            redis.srem(ONLINE_KEY, user_id)
    except RedisError:
        pass


def init_app(app):
    socketio.init_app(
        app,
        async_mode=app.config["PARLEY_ASYNC_MODE"],
        message_queue=app.config["REDIS_URL"],
        logger=False,
        engineio_logger=False,
    )
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
