"""Socket.IO's push side: emitting to rooms from any process, presence, closing a user's sockets.

Framework-free (no request, no signed-in user): services and workers use it. The event
handlers that call services are in app/realtime/handlers.py.

Rooms: agent:<user id>, queue:<queue id>, interaction:<id>, admins. Emits go through the
Redis message queue, so a worker process reaches browsers connected to any web process.

Which rooms each socket watches is also kept in Redis, so that whoever loses access to an
interaction can be taken out of its room from any process: leaving a room for a socket held
by another process travels through the same message queue.

Presence is one sorted set of "<user id>|<sid>" entries, and each user's sockets one sorted set
of sids, all scored by when they expire. Each web process refreshes its own sockets' entries
(handlers' heartbeat), so the sockets of a process that died stop counting once their entries
expire; every set expires with its last entry, so such a process leaves nothing in Redis. Times
come from Redis's clock, not each machine's.
"""

import logging

from redis.exceptions import RedisError

from app import queues, redis_batch
from app.extensions import socketio

log = logging.getLogger(__name__)

PRESENCE_KEY = "parley:presence:sockets"
ADMINS_ROOM = "admins"
#: Sent to a process's sockets as it stops: the connection closes next; reconnect (elsewhere).
STOPPING_EVENT = "server_stopping"
# A socket's watched rooms outlive it only if its process died; they expire with the day.
WATCHING_TTL = 24 * 3600
_presence = {"ttl": 60}

# Redis's clock in milliseconds, so that every process agrees on when an entry expires.
_NOW_MS = "local t = redis.call('TIME'); local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"
# Give each member ARGV[i + 1] of the sorted set KEYS[i] ARGV[1] more seconds, drop the set's expired
# members, and keep the set itself at least as long as that member (Redis deletes an emptied set).
_KEEP = (
    _NOW_MS
    + """
local ttl = 1000 * tonumber(ARGV[1])
for i = 1, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  redis.call('ZADD', KEYS[i], now + ttl, ARGV[i + 1])
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
"""
)
_LIVE = _NOW_MS + "return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')"


def configure(presence_ttl):
    _presence["ttl"] = presence_ttl


def heartbeat_interval():
    """Four refreshes per TTL: a process that misses three still keeps its sockets online."""
    return _presence["ttl"] / 4


def _sids_key(user_id):
    return f"parley:presence:user:{user_id}"


def _watching_key(sid):
    return f"parley:watching:{sid}"


def agent_room(user_id):
    return f"agent:{user_id}"


def emit(event, data, room):
    """Send `event` to a room from anywhere: a view, a Socket.IO handler or an RQ job. Inside a
    Redis batch (app/redis_batch.py) it waits for the batch's writes and goes with its other emits."""
    batch = redis_batch.current()
    if batch is not None:
        batch.emits.append((event, data, room))
        return
    socketio.emit(event, data, to=room, namespace="/")


def emit_on(pipe, emits):
    """Queue (event, data, room) emits on `pipe`, in order, as publishes to the message queue: they
    go out when the caller executes it, after what it queued before them. Returns those that could
    not be queued (another message queue): the caller emits them once `pipe` is executed."""
    if not emits:
        return []
    publish_on = getattr(socketio.server.manager, "publish_on", None)
    if publish_on is None:
        return emits
    publish_on(pipe, lambda: emit_all(emits))
    return []


def emit_all(emits):
    for event, data, room in emits:
        socketio.emit(event, data, to=room, namespace="/")


def _entry(user_id, sid):
    return f"{user_id}|{sid}"


def online_user_ids():
    """Users with at least one socket whose process kept it alive: one Redis round trip (one per
    Redis batch: a drain round offers many interactions within milliseconds)."""
    batch = redis_batch.current()
    if batch is not None and "online" in batch.memo:
        return set(batch.memo["online"])
    try:
        online = {entry.split("|", 1)[0] for entry in _live(PRESENCE_KEY)}
    except RedisError:
        log.warning("presence unavailable: Redis does not answer")
        return set()
    if batch is not None:
        batch.memo["online"] = online
    return set(online)


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


def close_local_sockets():
    """Close the sockets this process holds, for a stop: each first hears STOPPING_EVENT, then its
    Engine.IO connection is closed. Browsers reconnect by themselves after a closed connection (a
    Socket.IO disconnect would tell them not to), through the proxy to another process. Returns
    how many sockets were closed. The closes run in background tasks: none waits for its browser."""
    server = socketio.server
    sockets = list(server.manager.get_participants("/", None))
    for sid, eio_sid in sockets:
        server.emit(STOPPING_EVENT, {"reconnect": True}, to=sid, namespace="/", ignore_queue=True)
        socketio.start_background_task(server.eio.disconnect, eio_sid)
    return len(sockets)


def _live(key):
    return [member.decode() for member in queues.run_script(_LIVE, [key], [])]


def user_sids(user_id):
    """The user's sockets whose process keeps them alive, on any process."""
    return _live(_sids_key(user_id))


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
        _keep([(_sids_key(user_id), sid)])
    except RedisError:
        log.warning("socket of %s not listed: Redis does not answer", user_id)


def unlist_socket(user_id, sid):
    try:
        queues.get_redis().zrem(_sids_key(user_id), sid)
    except RedisError:
        pass


def mark_online(user_id, sid):
    try:
        _touch([(sid, user_id)])
    except RedisError:
        log.warning("presence not recorded for %s: Redis does not answer", user_id)


def keep_online(sockets):
    """Heartbeat: push back the expiry of these (sid, user id) pairs, this process's open sockets."""
    try:
        _touch(sockets)
    except RedisError:
        log.warning("presence not refreshed: Redis does not answer")


def _touch(sockets):
    """Keep these (sid, user id) pairs online and listed as their users' sockets for another TTL."""
    _keep([pair for sid, user_id in sockets for pair in ((PRESENCE_KEY, _entry(user_id, sid)), (_sids_key(user_id), sid))])


def _keep(members):
    """Refresh each (sorted set key, member) pair for another TTL (one round trip)."""
    keys = [key for key, _ in members]
    queues.get_redis().eval(_KEEP, len(keys), *keys, _presence["ttl"], *(member for _, member in members))


def socket_closed(user_id, sid):
    """Forget the socket's rooms and presence; the user is offline once their last socket is gone."""
    try:
        redis = queues.get_redis()
        redis.delete(_watching_key(sid))
        redis.zrem(_sids_key(user_id), sid)
        redis.zrem(PRESENCE_KEY, _entry(user_id, sid))
    except RedisError:
        pass  # the entry expires on its own: its process no longer refreshes it
