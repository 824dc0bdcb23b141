"""Who stays in which Socket.IO room when access changes.

Whoever may no longer see an interaction (after a transfer, a reopen by someone else, a change
of queue members) leaves its room at once, on every web process, before the next
event of the interaction goes out. Closing changes nobody's access: the agent who closed an
interaction keeps reading it, as the HTTP routes allow.

The reason is also kept a while (REASON_KEPT_SECONDS): a desktop whose socket was away when it was
told (a reconnect) learns it when its watch is refused, instead of a reason-less notice.
"""

import logging

from bson import ObjectId
from redis.exceptions import RedisError

from app import queues
from app.db import get_db
from app.realtime import push
from app.services.access import access_rules
from app.services.conversations import live, routing

log = logging.getLogger(__name__)

ROOM_PREFIX = live.interaction_room("")
REASON_KEPT_SECONDS = 3600
REMEMBERED_OPEN = 500
QUEUES_CHANGED = "Your queues changed"


def _reason_key(user_id, interaction_id):
    return f"parley:evicted:{user_id}:{interaction_id}"


def evicted_because(user_id, interaction_id):
    """Why `user_id` was last taken out of the interaction's room, if that was within the hour."""
    try:
        reason = queues.get_redis().get(_reason_key(user_id, interaction_id))
    except RedisError:
        return None
    return reason.decode() if reason else None


def _members(queue_id):
    queue = get_db().queues.find_one({"_id": queue_id}, {"agent_ids": 1}) if queue_id else None
    return set((queue or {}).get("agent_ids") or [])


def _evict(user_id, rooms, reason):
    """Out of `rooms`, and told so: a desktop showing one of them says why it stopped updating."""
    if not rooms:
        return
    try:
        push.evict(str(user_id), rooms)
        ids = [room.removeprefix(ROOM_PREFIX) for room in rooms]
        pipe = queues.get_redis().pipeline(transaction=False)
        for interaction_id in ids:
            pipe.set(_reason_key(user_id, interaction_id), reason, ex=REASON_KEPT_SECONDS)
        pipe.execute()
        push.emit("access_lost", {"interaction_ids": ids, "reason": reason}, push.agent_room(user_id))
    except RedisError:
        log.warning("could not take %s out of %s: Redis does not answer", user_id, rooms)


def take_out(user_id, interaction_id, reason):
    """`user_id` (unless an admin) out of the interaction's room, told why, whatever their queues: an
    interaction returned to the queue is no longer its agent's to follow, though the queue may see it."""
    if get_db().users.find_one({"_id": user_id, "role": "admin"}, {"_id": 1}) is None:
        _evict(user_id, [live.interaction_room(interaction_id)], reason)


def after_change(before, after, reason):
    """`before` and `after`: the interaction around an update of its queue or agent; `reason`:
    what happened, as its system line says it (e.g. "Transferred by Ada to queue Billing")."""
    queue_changed = before.get("queue_id") != after.get("queue_id")
    candidates = {before.get("agent_id")} | (_members(before.get("queue_id")) if queue_changed else set())
    lost = candidates - _members(after.get("queue_id")) - {after.get("agent_id"), None}
    if not lost:
        return
    admins = {user["_id"] for user in get_db().users.find({"_id": {"$in": list(lost)}, "role": "admin"}, {"_id": 1})}
    for user_id in lost - admins:
        _evict(user_id, [live.interaction_room(after["_id"])], reason)


def _remember(user_id, queue_id, told):
    """Keep QUEUES_CHANGED as the user's reason for the queue's open interactions they were not told of."""
    open_ones = get_db().interactions.find(
        {"queue_id": queue_id, "is_open": True, "agent_id": {"$ne": user_id}}, {"_id": 1},
        sort=[("created_at", -1), ("_id", -1)], limit=REMEMBERED_OPEN,
    )
    ids = [str(doc["_id"]) for doc in open_ones if str(doc["_id"]) not in told]
    if not ids:
        return
    try:
        pipe = queues.get_redis().pipeline(transaction=False)
        for interaction_id in ids:
            pipe.set(_reason_key(user_id, interaction_id), QUEUES_CHANGED, ex=REASON_KEPT_SECONDS)
        pipe.execute()
    except RedisError:
        log.warning("could not keep why %s left queue %s: Redis does not answer", user_id, queue_id)


def recheck_user(user_id, left_queue_id=None):
    """After a change to the user's queues: leave the rooms of interactions they may no longer see.
    With the queue they left, the reason is also kept for its open interactions (the latest
    REMEMBERED_OPEN) that no socket of theirs was watching: a desktop whose socket was away then
    learns it when its watch is refused, instead of a reason-less notice.

    A change of role or activity needs nothing here: it ends the user's sessions and closes their sockets.
    """
    user = get_db().users.find_one({"_id": user_id}, {"role": 1, "active": 1})
    if not user or not user.get("active", True):
        return
    try:
        watched = set().union(*push.watched_rooms(str(user_id)).values())
    except RedisError:
        log.warning("could not re-check the rooms of %s: Redis does not answer", user_id)
        return
    ids = [ObjectId(room.removeprefix(ROOM_PREFIX)) for room in watched if room.startswith(ROOM_PREFIX)]
    query = {"_id": {"$in": ids}, **access_rules.visibility_filter(user)}
    visible = {live.interaction_room(doc["_id"]) for doc in get_db().interactions.find(query, {"_id": 1})} if ids else set()
    lost = [room for room in watched if room.startswith(ROOM_PREFIX) and room not in visible]
    _evict(user_id, lost, QUEUES_CHANGED)
    if left_queue_id is not None:
        _remember(user_id, left_queue_id, {room.removeprefix(ROOM_PREFIX) for room in lost})
    if user["role"] != "admin":
        push.emit("offers", {"interactions": routing.waiting_for(user)}, push.agent_room(user_id))
