"""Socket.IO's push side: emitting to rooms from any process, presence, closing a user's sockets.

Framework-free (no request, no signed-in user): services and workers use it. The event
handlers that call services are in app/realtime/handlers.py.

Rooms: agent:<user id>, queue:<queue id>, interaction:<id>, admins. Emits go through the
Redis message queue, so a worker process reaches browsers connected to any web process.

Which rooms each socket watches is also kept in Redis, so that whoever loses access to an
interaction can be taken out of its room from any process: leaving a room for a socket held
by another process travels through the same message queue.
"""

import logging

from redis.exceptions import RedisError

from app import queues
from app.extensions import socketio

log = logging.getLogger(__name__)

ONLINE_KEY = "parley:presence:online"
ADMINS_ROOM = "admins"
# A socket's watched rooms outlive it only if its process died; they expire with the day.
WATCHING_TTL = 24 * 3600


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


def record_watch(sid, room):
    """Record that socket `sid` watches `room`, so an eviction can find it later."""
    redis = queues.get_redis()
    redis.sadd(_watching_key(sid), room)
    redis.expire(_watching_key(sid), WATCHING_TTL)


def forget_watch(sid, room):
    try:
        queues.get_redis().srem(_watching_key(sid), room)
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


def list_socket(user_id, sid):
    """Record the socket as the user's, so disconnect_user and evict find it from any process."""
    try:
        queues.get_redis().sadd(_sids_key(user_id), sid)
    except RedisError:
        log.warning("socket of %s not listed: Redis does not answer", user_id)


def unlist_socket(user_id, sid):
    try:
        queues.get_redis().srem(_sids_key(user_id), sid)
    except RedisError:
        pass


def mark_online(user_id):
    try:
        queues.get_redis().sadd(ONLINE_KEY, user_id)
    except RedisError:
        log.warning("presence not recorded for %s: Redis does not answer", user_id)


def socket_closed(user_id, sid):
    """Forget the socket's rooms; the user is offline once their last socket is gone."""
    try:
        redis = queues.get_redis()
        redis.delete(_watching_key(sid))
        redis.srem(_sids_key(user_id), sid)
        if redis.scard(_sids_key(user_id)) == 0:
            redis.srem(ONLINE_KEY, user_id)
    except RedisError:
        pass
