"""Live events about interactions: numbered per interaction, kept for replay, pushed over Socket.IO.

Every change to an interaction increments its `seq` in the same atomic update that makes the
change; the event carries that number. A browser that reconnects asks for the events after the
last number it saw (`events_since`) and so never shows a gap or a duplicate.

The replay log is Redis, not the database: per interaction a sorted set of the events' JSON
scored by seq (`parley:events:<id>`), holding the latest `kept` events and expiring `ttl` seconds
after the last one, written in one round trip. Beside it, `parley:events:<id>:floor` says below
which seq the log may miss events (trimmed by the cap, or written before the log began); a replay
that needs older events answers `complete: false`, and the browser reloads the conversation
instead. Publishing makes no database round trip.
"""

import json
import logging

from redis.exceptions import RedisError

from app import queues, redis_batch
from app.realtime.push import ADMINS_ROOM, agent_room, emit
from app.services import clock
from app.services.serialize import plain

log = logging.getLogger(__name__)

_settings = {"kept": 1000, "ttl": 7 * 24 * 3600}
ARRIVALS_KEY = "parley:ingestion:arrivals"
ARRIVALS_KEPT = 500  # customer messages the dashboard's ingestion lag is measured on

# KEYS: log, floor, arrivals. ARGV: seq, event JSON, kept, ttl, arrival JSON ("" for none), arrivals kept.
# A republished seq replaces its event. A new log starts with the floor just below its first event;
# trimming raises the floor to the highest seq dropped.
_RECORD = """
local seq, kept, ttl = tonumber(ARGV[1]), tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[2], seq - 1) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], seq, seq)
redis.call('ZADD', KEYS[1], seq, ARGV[2])
local excess = redis.call('ZCARD', KEYS[1]) - kept
if excess > 0 then
  local dropped = redis.call('ZRANGE', KEYS[1], excess - 1, excess - 1, 'WITHSCORES')
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1)
  if tonumber(dropped[2]) > tonumber(redis.call('GET', KEYS[2]) or 0) then redis.call('SET', KEYS[2], dropped[2]) end
end
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
if ARGV[5] ~= '' then
  redis.call('LPUSH', KEYS[3], ARGV[5])
  redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[6]) - 1)
end
"""


def configure(kept, ttl_seconds):
    _settings.update(kept=kept, ttl=ttl_seconds)


def interaction_room(interaction_id):
    return f"interaction:{interaction_id}"


def log_key(interaction_id):
    return f"parley:events:{interaction_id}"


def _floor_key(interaction_id):
    return f"{log_key(interaction_id)}:floor"


def forget(interaction_ids):
    """Delete the kept live events of these interactions (they are being erased)."""
    keys = [k for i in interaction_ids for k in (log_key(i), _floor_key(i))]
    if keys:
        queues.get_redis().delete(*keys)


def rooms_for(interaction, extra_agent_ids=()):
    """Who may see this interaction's events: its agent, admins, watchers, and any offered agents."""
    rooms = [interaction_room(interaction["_id"]), ADMINS_ROOM]
    if interaction.get("agent_id"):
        rooms.append(agent_room(interaction["agent_id"]))
    rooms.extend(agent_room(agent_id) for agent_id in extra_agent_ids)
    return list(dict.fromkeys(rooms))


def publish(interaction, event, payload, extra_agent_ids=()):
    """Record and push `event`; `interaction` is the document as returned by the update that bumped seq.

    The change itself is already in the database, so Redis not answering does not undo or fail it:
    the event is logged as lost, and desktops that miss its number reload the conversation (the
    gap rule, or an incomplete replay). Callers that can do their follow-ups again use
    `publish_or_raise`.
    """
    try:
        return publish_or_raise(interaction, event, payload, extra_agent_ids)
    except RedisError as exc:
        log.warning("live event %s %s of interaction %s not published: %r", event, interaction["seq"], interaction["_id"], exc)
        return None


def publish_or_raise(interaction, event, payload, extra_agent_ids=()):
    """`publish`, letting a RedisError propagate (nothing is emitted): a caller that retries (the
    inbound drain) publishes the event again under the same seq. Inside a Redis batch the event
    is recorded with the batch's writes and emitted after them (app/redis_batch.py)."""
    at = clock.now()
    wire = plain({"interaction_id": interaction["_id"], "seq": interaction["seq"], "event": event, **payload})
    iid = interaction["_id"]
    queues.run_script(
        _RECORD,
        [log_key(iid), _floor_key(iid), ARRIVALS_KEY],
        [wire["seq"], json.dumps(wire), _settings["kept"], _settings["ttl"], _arrival(event, wire, at), ARRIVALS_KEPT],
        client=_pipe(),
    )
    emit(event, wire, rooms_for(interaction, extra_agent_ids))
    return wire


def _pipe():
    batch = redis_batch.current()
    return batch.pipe if batch is not None else None


def _arrival(event, wire, at):
    """A customer message's times, for the dashboard's ingestion lag ("" for any other event)."""
    message = wire.get("message") or {}
    if event not in ("offer", "message") or message.get("direction") != "in":
        return ""
    return json.dumps({"pushed_at": plain(at), "received_at": message.get("received_at"), "sent_at": message.get("at")})


def recent_arrivals():
    """The latest customer messages pushed to agents, newest first: {pushed_at, received_at, sent_at}."""
    return [json.loads(item) for item in queues.get_redis().lrange(ARRIVALS_KEY, 0, -1)]


def events_since(interaction_id, after_seq, seq=None):
    """{"events": the kept events after `after_seq` in order, "complete": whether they are all of them}.

    `seq` is the interaction's current number when known: nothing after it can be missing. Incomplete
    means the log no longer reaches back to `after_seq` (trimmed, expired, or Redis lost it): the
    caller must reload the conversation rather than apply the list.
    """
    pipe = queues.get_redis().pipeline(transaction=True)
    pipe.zrangebyscore(log_key(interaction_id), f"({after_seq}", "+inf")
    pipe.get(_floor_key(interaction_id))
    pipe.exists(log_key(interaction_id))
    kept, floor, logged = pipe.execute()
    caught_up = seq is not None and after_seq >= seq
    whole = logged and floor is not None and int(floor) <= after_seq  # either key may be evicted alone
    return {"events": [json.loads(item) for item in kept], "complete": bool(caught_up or whole)}


def emit_admins(event, payload):
    """Account-level news for admins (e.g. an account needs re-authorization)."""
    emit(event, payload, ADMINS_ROOM)
