"""Socket.IO: authenticated connections, rooms, presence, and emitting from any process.

Rooms: agent:<user id>, queue:<queue id>, interaction:<id>, admins. Emits go through the
Redis message queue, so a worker process reaches browsers connected to any web process.

Which rooms each socket watches is also kept in Redis, so that whoever loses access to an
interaction can be taken out of its room from any process: leaving a room for a socket held
by another process travels through the same message queue.
"""

import logging

from flask import request
from flask_login import current_user
from flask_socketio import join_room, leave_room
from redis.exceptions import RedisError

from app import queues
from app.extensions import socketio
from app.services.people import users

log = logging.getLogger(__name__)

ONLINE_KEY = "parley:presence:online"
ADMINS_ROOM = "admins"
# A socket's watched rooms outlive it only if its process died; they expire with the day.
WATCHING_TTL = 24 * 3600

# Which user each socket of this process belongs to: a disconnect is handled by the process
# holding the socket, after sign-out may already have emptied the session.
_socket_users = {}


def _sids_key(user_id):
    return f"parley:presence:sids:{user_id}"


def _watching_key(sid):
    return f"parley:watching:{sid}"


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
        sids = user_sids(user_id)
    except RedisError:
        log.warning("sockets of %s not closed: Redis does not answer; their next event is refused", user_id)
        sids = []
    # Told first, then closed: both go through the message queue in this order, so each page
    # hears why and goes to the sign-in page instead of reconnecting.
    emit("session_ended", {}, agent_room(user_id))
    for sid in sids:
        socketio.server.disconnect(sid, namespace="/")


def user_sids(user_id):
    return [s.decode() for s in queues.get_redis().smembers(_sids_key(user_id))]


def watch_room(room):
    """Join `room` with the current socket and record it, so an eviction can find it later."""
    join_room(room)
    redis = queues.get_redis()
    redis.sadd(_watching_key(request.sid), room)
    redis.expire(_watching_key(request.sid), WATCHING_TTL)


def unwatch_room(room):
    leave_room(room)
    try:
        queues.get_redis().srem(_watching_key(request.sid), room)
    except RedisError:
        pass  # a stale entry only makes a later eviction try a room the socket already left


def watched_rooms(user_id):
    """{sid: set of rooms} for every socket of the user, on any process."""
    redis = queues.get_redis()
    return {sid: {room.decode() for room in redis.smembers(_watching_key(sid))} for sid in user_sids(user_id)}


def evict(user_id, rooms):
    """Take every socket of the user out of `rooms`, whichever web process holds it."""
    redis = queues.get_redis()
    for sid in user_sids(user_id):
        for room in rooms:
            socketio.server.leave_room(sid, room, namespace="/")
        if rooms:
            redis.srem(_watching_key(sid), *rooms)


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
        join_room(ADMINS_ROOM)
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
        redis.delete(_watching_key(request.sid))
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
