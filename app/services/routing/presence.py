"""Agents' presence as routing sees it: Online, Paused (with a reason) or Offline, since when.

Kept per agent in the Redis hash `parley:agent:<user id>:state` (fields `state`, `reason`, `since`
in ISO 8601 UTC). An agent without one is Online while a socket of theirs is alive, else Offline.
"""

import logging
from datetime import datetime

from redis.exceptions import RedisError

from app import queues
from app.realtime.push import online_user_ids

log = logging.getLogger(__name__)

STATES = ("online", "paused", "offline")


def state_key(user_id):
    return f"parley:agent:{user_id}:state"


def states(user_ids):
    """{user id (str): {"state", "reason", "since"}} for each of `user_ids`: one Redis round trip,
    plus one for the sockets. `since` is an aware datetime, or None when nothing recorded it."""
    ids = [str(user_id) for user_id in user_ids]
    try:
        pipe = queues.get_redis().pipeline(transaction=False)
        for user_id in ids:
            pipe.hgetall(state_key(user_id))
        stored = pipe.execute()
    except RedisError:
        log.warning("presence unavailable: Redis does not answer")
        stored = [{} for _ in ids]
    online = online_user_ids()
    return {user_id: _state(fields, user_id in online) for user_id, fields in zip(ids, stored, strict=True)}


def _state(fields, connected):
    fields = {key.decode(): value.decode() for key, value in fields.items()}
    state = fields.get("state")
    if state not in STATES:
        return {"state": "online" if connected else "offline", "reason": None, "since": None}
    return {"state": state, "reason": fields.get("reason") or None, "since": _moment(fields.get("since"))}


def _moment(text):
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None
