"""Agents' presence: Online, Paused (with a reason) or Offline, in Redis so that it survives a page
reload and every web process sees the same.

Presence is what the agent chose, kept per agent in a hash (`parley:agent:<id>:state`: state, reason,
since, who set it). Being connected is separate (app/realtime/push.py: live sockets with a heartbeat):
an agent is offered work only while Online *and* connected. An agent whose last socket closed (or
whose web process died, so its sockets expired) keeps their state for a grace period, long enough
for a page reload; `sweep` then sets them Offline "by the system", and their next connection
restores what they had chosen. An agent who chose Offline stays Offline across reloads.

Agents who are not Offline are also listed in one set, so the sweep reads only them.
"""

from datetime import datetime, timedelta

from redis.exceptions import RedisError

from app import queues, redis_batch
from app.realtime import push
from app.services import clock
from app.services.errors import ValidationFailed

ONLINE, PAUSED, OFFLINE = "online", "paused", "offline"
STATES = (ONLINE, PAUSED, OFFLINE)
LABELS = {ONLINE: "Online", PAUSED: "Paused", OFFLINE: "Offline"}
PRESENT_KEY = "parley:agents:present"
KEPT_SECONDS = 7 * 24 * 3600  # an agent away for a week starts again from "connected means Online"
BY_AGENT, BY_SYSTEM = "agent", "system"


def state_key(user_id):
    return f"parley:agent:{user_id}:state"


def _decode(raw):
    return {key.decode(): value.decode() for key, value in raw.items()}


def _public(fields, connected):
    """What others see of an agent's presence. No record: Online while connected (the default a
    new agent starts with), else Offline."""
    if not fields:
        return {
            "state": ONLINE if connected else OFFLINE,
            "reason": None,
            "since": None,
            "by": None,
        }
    return {
        "state": fields.get("state", OFFLINE),
        "reason": fields.get("reason") or None,
        "since": datetime.fromisoformat(fields["since"]) if fields.get("since") else None,
        "by": fields.get("by") or None,
    }


def states(user_ids, connected=None):
    """{user id (str): {"state", "reason", "since", "by"}} for these agents, in one round trip (none
    for agents already read in the same Redis batch: a drain round offers many interactions).
    `connected`: the connected users, when the caller has read them already."""
    ids = [str(user_id) for user_id in user_ids]
    if not ids:
        return {}
    batch = redis_batch.current()
    known = batch.memo.setdefault("presence", {}) if batch is not None else {}
    missing = [user_id for user_id in dict.fromkeys(ids) if user_id not in known]
    if missing:
        known.update(_read(missing, connected))
    return {user_id: known[user_id] for user_id in ids}


def _read(ids, connected=None):
    connected = push.online_user_ids() if connected is None else connected
    try:
        pipe = queues.get_redis().pipeline(transaction=False)
        for user_id in ids:
            pipe.hgetall(state_key(user_id))
        found = pipe.execute()
    except RedisError:
        found = [{} for _ in ids]
    return {user_id: _public(_decode(raw), user_id in connected) for user_id, raw in zip(ids, found, strict=True)}


def tally(user_ids):
    """{state: how many of these agents are in it}, every state listed, in one round trip."""
    counts = dict.fromkeys(STATES, 0)
    for state in states(user_ids).values():
        counts[state["state"]] = counts.get(state["state"], 0) + 1
    return counts


def state_of(user_id):
    return states([user_id])[str(user_id)]


def available(user_ids):
    """The agents among `user_ids` who may be offered work now: Online and connected."""
    connected = push.online_user_ids()
    candidates = [str(user_id) for user_id in user_ids if str(user_id) in connected]
    return {user_id for user_id, state in states(candidates, connected).items() if state["state"] == ONLINE}


def set_state(user_id, state, reason=None, by=BY_AGENT):
    """Record the agent's state; returns it as `states` shows it. The agent's own choice is also
    kept as what their next connection restores."""
    if state not in STATES:
        raise ValidationFailed("Choose Online, Paused or Offline.", {"state": "Unknown state."})
    if state != PAUSED:
        reason = None
    now = clock.now()
    fields = {
        "state": state,
        "reason": reason or "",
        "since": now.isoformat(),
        "by": by,
        "gone_at": "",
    }
    if by == BY_AGENT:
        fields.update(chosen_state=state, chosen_reason=reason or "")
    key = state_key(user_id)
    pipe = queues.get_redis().pipeline(transaction=True)
    pipe.hset(key, mapping=fields)
    pipe.expire(key, KEPT_SECONDS)
    if state == OFFLINE:
        pipe.srem(PRESENT_KEY, str(user_id))
    else:
        pipe.sadd(PRESENT_KEY, str(user_id))
    pipe.execute()
    return _public(fields, True)


def connected(user_id):
    """A socket of the agent connected: they are back from a disconnection. Returns the new state
    when it changed (an agent Offline by the system gets back what they had chosen), else None."""
    raw = _decode(queues.get_redis().hgetall(state_key(user_id)))
    if raw.get("gone_at"):
        queues.get_redis().hset(state_key(user_id), "gone_at", "")
    if not raw:
        return set_state(user_id, ONLINE, by=BY_SYSTEM)
    if raw.get("state") == OFFLINE and raw.get("by") == BY_SYSTEM:
        return set_state(
            user_id,
            raw.get("chosen_state") or ONLINE,
            raw.get("chosen_reason") or None,
            by=BY_SYSTEM,
        )
    return None


def disconnected(user_id):
    """The agent's last socket on this process closed: their grace period starts (unless another
    socket of theirs is still live somewhere, which the sweep sees)."""
    try:
        if queues.get_redis().hexists(state_key(user_id), "state"):
            queues.get_redis().hset(state_key(user_id), "gone_at", clock.now().isoformat())
    except RedisError:
        pass  # the sweep starts the grace period when it first sees the agent without a socket


def sweep(grace_seconds):
    """Set Offline the agents without a live socket for `grace_seconds`; returns their ids.

    An agent seen without a socket and no departure time (their process died: nothing said goodbye)
    starts the grace period now; one seen connected again has it cleared.
    """
    redis = queues.get_redis()
    present = [member.decode() for member in redis.smembers(PRESENT_KEY)]
    if not present:
        return []
    connected_now = push.online_user_ids()
    now = clock.now()
    gone = []
    reading = redis.pipeline(transaction=False)  # every agent's state in one round trip
    for user_id in present:
        reading.hgetall(state_key(user_id))
    for user_id, stored in zip(present, reading.execute(), strict=True):
        raw = _decode(stored)
        if not raw or raw.get("state") == OFFLINE:
            redis.srem(PRESENT_KEY, user_id)
            continue
        if user_id in connected_now:
            if raw.get("gone_at"):
                redis.hset(state_key(user_id), "gone_at", "")
            continue
        if not raw.get("gone_at"):
            redis.hset(state_key(user_id), "gone_at", now.isoformat())
            continue
        if now - datetime.fromisoformat(raw["gone_at"]) >= timedelta(seconds=grace_seconds):
            set_state(user_id, OFFLINE, by=BY_SYSTEM)
            gone.append(user_id)
    return gone


def describe(state):
    """ "Paused · Lunch", "Online"…: how a state reads in the interface."""
    label = LABELS.get(state["state"], state["state"])
    return f"{label} · {state['reason']}" if state.get("reason") else label
