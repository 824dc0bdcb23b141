"""The inbound inbox: verified webhook events kept in Redis until a worker applies them.

Redis must persist (AOF, ``appendonly yes``): an accepted webhook lives only here until its
drain job applied it. Per customer of an account (the message's sender, a status's recipient):

- ``parley:inbox:{account}:{customer}``: sorted set of events, scored by the provider's
  timestamp in ms; equal scores keep arrival order (each member starts with a zero-padded
  arrival sequence number, then the arrival time in ms, then the event as JSON);
- ``parley:inbox:pending``: the customers with events waiting, scored by the arrival of their
  oldest waiting event (the dashboard's backlog age), and ``parley:inbox:count`` their total;
- ``parley:inbox:marker:{…}``: a drain job is queued and has not started (``SET NX``: a burst of
  webhooks costs one job), expiring so a job lost with its queue is enqueued again by the sweep;
- ``parley:inbox:lock:{…}``: the worker draining that customer (a token, with a TTL renewed at
  each event), so one customer's events are applied one at a time, in order;
- ``parley:inbox:applied:{account}:{provider message id}``: a customer's message is being applied
  (``started``) or was (``done``), for 7 days: a provider's repeated delivery is a duplicate
  without a database query, and a message found ``started`` was interrupted and is applied with
  ``retry`` (found stored, it gets its follow-ups again).

Keys are built inside the scripts: one Redis server, not a cluster.
"""

import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

from app import queues as rq_queues
from app.providers.events import event_from_dict

PREFIX = "parley:inbox:"
PENDING = PREFIX + "pending"
COUNT = PREFIX + "count"
SEQ = PREFIX + "seq"
MARKER_TTL_MS = 120_000
LOCK_TTL_MS = 60_000
#: A message's mark outlives any outage the drain waits out, and the providers' redeliveries.
MARK_TTL_SECONDS = 7 * 24 * 3600

# ARGV: arrival ms, marker TTL ms, then (customer key, score, event JSON) per event.
# Returns the customer keys whose marker this call set: each needs one drain job.
_RECORD = """
local now, ttl = ARGV[1], ARGV[2]
local scheduled, seen = {}, {}
for i = 3, #ARGV, 3 do
  local customer, score, body = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local seq = redis.call('INCR', KEYS[3])
  redis.call('ZADD', KEYS[1] .. customer, score, string.format('%012d', seq) .. '|' .. now .. '|' .. body)
  redis.call('ZADD', KEYS[2], 'NX', now, customer)
  redis.call('INCR', KEYS[4])
  if not seen[customer] then
    seen[customer] = true
    if redis.call('SET', KEYS[1] .. 'marker:' .. customer, now, 'NX', 'PX', ttl) then
      table.insert(scheduled, customer)
    end
  end
end
return scheduled
"""

# KEYS: inbox, pending, count, lock, the message's mark (see begin). ARGV: member, customer key, lock token, lock TTL ms.
# Removes an applied event, keeps the backlog figures right and renews the lock if still ours.
_REMOVE = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then redis.call('DECR', KEYS[3]) end
if redis.call('EXISTS', KEYS[5]) == 1 then redis.call('SET', KEYS[5], 'done', 'KEEPTTL') end
local left = redis.call('ZRANGE', KEYS[1], 0, 99)
if #left == 0 then
  redis.call('ZREM', KEYS[2], ARGV[2])
else
  local oldest
  for _, member in ipairs(left) do
    local arrived = tonumber(string.match(member, '^%d+|(%d+)|'))
    if oldest == nil or arrived < oldest then oldest = arrived end
  end
  redis.call('ZADD', KEYS[2], 'XX', oldest, ARGV[2])
end
if redis.call('GET', KEYS[4]) == ARGV[3] then
  redis.call('PEXPIRE', KEYS[4], ARGV[4])
  return 1
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _redis():
    return rq_queues.get_redis()


def _now_ms():
    return int(time.time() * 1000)


def customer_key(account_id, event):
    """``{account}:{customer}``: whose inbox an event joins (a status: the customer it was sent to)."""
    who = event.sender if event.event_type == "message" else (event.recipient or event.provider_message_id)
    return f"{account_id}:{who}"


def _score(event, arrived_ms):
    moment = getattr(event, "timestamp", None)
    return int(moment.timestamp() * 1000) if isinstance(moment, datetime) else arrived_ms


def _json_value(value):
    return value.isoformat() if isinstance(value, datetime) else str(value)


def record(account_id, events, received_at):
    """Keep the events in one round trip; returns the customer keys that need a drain job enqueued.

    Raises RedisError when Redis does not answer: nothing is accepted then.
    """
    arrived = _now_ms()
    argv = [arrived, MARKER_TTL_MS]
    for event in events:
        body = json.dumps({"event": event.to_dict(), "received_at": received_at.isoformat()}, default=_json_value)
        argv += [customer_key(account_id, event), _score(event, arrived), body]
    keys = [PREFIX, PENDING, SEQ, COUNT]
    return [key.decode() for key in rq_queues.run_script(_RECORD, keys, argv)]


@dataclass
class Entry:
    member: bytes
    arrived_ms: int
    event: object
    received_at: datetime


def parse(member):
    """The entry a member holds; raises ValueError (or KeyError) for one that cannot be read back."""
    _, arrived, body = member.split(b"|", 2)
    data = json.loads(body)
    return Entry(member, int(arrived), event_from_dict(data["event"]), datetime.fromisoformat(data["received_at"]))


def head(key):
    """The raw member of the customer's earliest event (by the customer's timestamp), or None."""
    members = _redis().zrange(PREFIX + key, 0, 0)
    return members[0] if members else None


# KEYS: the message's mark. ARGV: its TTL in seconds. Returns what the mark said before this call.
_BEGIN = """
local said = redis.call('GET', KEYS[1])
if not said then redis.call('SET', KEYS[1], 'started', 'EX', ARGV[1]) return 'first' end
return said
"""


def begin(account_id, event):
    """Mark a customer's message as being applied; returns what its mark said: ``first`` (never
    seen), ``started`` (an earlier attempt was interrupted: the message may be stored without its
    follow-ups) or ``done`` (applied already: the provider delivered it again). Other events
    (statuses) are applied again safely and always answer ``first``."""
    if event.event_type != "message":
        return "first"
    said = rq_queues.run_script(_BEGIN, [_mark_key(account_id, event)], [MARK_TTL_SECONDS])
    return said.decode() if isinstance(said, bytes) else said


def _mark_key(account_id, event):
    return f"{PREFIX}applied:{account_id}:{event.provider_message_id}" if event.event_type == "message" else ""


def remove(key, member, lock, event=None):
    """Drop an applied (or set aside) event, marking a message ``done``; True while the lock is
    still ours (and renewed)."""
    mark = _mark_key(key.split(":", 1)[0], event) if event is not None else ""
    keys = [PREFIX + key, PENDING, COUNT, lock.name, mark or PREFIX + "no-mark"]
    return bool(rq_queues.run_script(_REMOVE, keys, [member, key, lock.token, LOCK_TTL_MS]))


def has_events(key):
    return _redis().zcard(PREFIX + key) > 0


def clear_marker(key):
    """The queued drain starts: a webhook arriving from now on may enqueue another."""
    _redis().delete(PREFIX + "marker:" + key)


def mark(key):
    """Claim the right to enqueue this customer's drain; False when one is already queued."""
    return bool(_redis().set(PREFIX + "marker:" + key, _now_ms(), nx=True, px=MARKER_TTL_MS))


@dataclass
class Lock:
    name: str
    token: str

    def release(self):
        rq_queues.run_script(_RELEASE, [self.name], [self.token])


def lock(key, ttl_ms=LOCK_TTL_MS):
    """The customer's drain lock, or None when another worker holds it."""
    name, token = PREFIX + "lock:" + key, secrets.token_hex(8)
    return Lock(name, token) if _redis().set(name, token, nx=True, px=ttl_ms) else None


def stranded():
    """Customers with events but neither a queued drain nor a live lock: their worker died or
    their job was lost. Customers listed as pending with an empty inbox are tidied away."""
    redis = _redis()
    found = []
    for raw in redis.zrange(PENDING, 0, -1):
        key = raw.decode()
        if not has_events(key):
            redis.zrem(PENDING, key)
        elif not redis.exists(PREFIX + "marker:" + key, PREFIX + "lock:" + key):
            found.append(key)
    return found


def backlog():
    """(events waiting, seconds the oldest has waited or None)."""
    redis = _redis()
    with redis.pipeline(transaction=False) as pipe:
        pipe.get(COUNT)
        pipe.zrange(PENDING, 0, 0, withscores=True)
        count, oldest = pipe.execute()
    age = max(0.0, (_now_ms() - oldest[0][1]) / 1000) if oldest else None
    return max(int(count or 0), 0), age
