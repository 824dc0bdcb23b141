"""The inbound inbox: verified webhook events kept in Redis until a drain job applies them.

Redis must persist (AOF, ``appendonly yes``): an accepted webhook lives only here until a drain
applied it. Per customer of an account (the message's sender, a status's recipient):

- ``parley:inbox:{account}:{customer}``: sorted set of events, scored by the provider's
  timestamp in ms; equal scores keep arrival order (each member starts with a zero-padded
  arrival sequence number, then the arrival time in ms, then the event as JSON);
- ``parley:inbox:pending``: the customers with events waiting, scored by the arrival of their
  oldest waiting event (the dashboard's backlog age, and where a drain looks for due events),
  and ``parley:inbox:count`` their total;
- ``parley:inbox:lock:{…}``: the drain applying that customer's events (a token, with a TTL),
  so one customer's events are applied one at a time, in order, whichever worker drains;
- ``parley:inbox:applied:{account}:{provider message id}``: a customer's message is being applied
  (``started``) or was (``done``), for 7 days: a provider's repeated delivery is a duplicate
  without a database query, and a message found ``started`` was interrupted and is applied with
  ``retry`` (found stored, it gets its follow-ups again).

And one ``parley:inbox:marker``: a drain job is queued and has not started (``SET NX``: a burst of
webhooks from any number of customers costs one job), expiring so a job lost with its queue is
enqueued again by the sweep.

A drain works in rounds of two round trips whatever their size: ``claim`` locks the customers
whose earliest event has waited the hold and takes their due events with their marks, the events
are applied, and ``finish`` (sent in the same MULTI/EXEC as the applied events' follow-ups)
removes them, marks their messages ``done`` and releases the locks. Keys are built inside the scripts:
one Redis server, not a cluster.
"""

import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime

from app import queues as rq_queues
from app.group_commit import GroupCommit
from app.providers.events import event_from_dict

PREFIX = "parley:inbox:"
PENDING = PREFIX + "pending"
COUNT = PREFIX + "count"
SEQ = PREFIX + "seq"
MARKER = PREFIX + "marker"
MARKER_TTL_MS = 120_000
LOCK_TTL_MS = 15_000  # a round lasts milliseconds; a dead drain's customers wait this long
#: A message's mark outlives any outage the drain waits out, and the providers' redeliveries.
MARK_TTL_SECONDS = 7 * 24 * 3600
#: One claim takes at most this many events, from at most this many customers.
CLAIM_EVENTS = 200
CLAIM_CUSTOMERS = 100

# KEYS: prefix, pending, seq, count, marker. ARGV: arrival ms, marker TTL ms, then (customer key,
# score, event JSON) per event. Returns 1 when this call set the marker: a drain job is needed.
_RECORD = """
local now, ttl = ARGV[1], ARGV[2]
for i = 3, #ARGV, 3 do
  local customer, score, body = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local seq = redis.call('INCR', KEYS[3])
  redis.call('ZADD', KEYS[1] .. customer, score, string.format('%012d', seq) .. '|' .. now .. '|' .. body)
  redis.call('ZADD', KEYS[2], 'NX', now, customer)
  redis.call('INCR', KEYS[4])
end
if redis.call('SET', KEYS[5], now, 'NX', 'PX', ttl) then return 1 end
return 0
"""

# KEYS: prefix, pending. ARGV: now ms, hold ms, most customers, most events, lock TTL ms, token,
# mark TTL s. Locks each pending customer (oldest waiting first) whose earliest event has waited
# the hold and nobody holds, and takes its events in the customer's order up to the first not due.
# A customer's message is marked ``started`` (its mark's earlier word and its mark's key are
# returned with it). Returns {{customer, {member, word, mark, ...}}, ...}, then the ms until
# something may be due (-1: nothing pending), then how many due customers another drain holds.
_CLAIM = """
local now, hold = tonumber(ARGV[1]), tonumber(ARGV[2])
local due = now - hold
local most_customers, most_events = tonumber(ARGV[3]), tonumber(ARGV[4])
local claimed, taken, held_elsewhere = {}, 0, 0
local candidates = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', due, 'LIMIT', 0, most_customers * 2)
for _, customer in ipairs(candidates) do
  if #claimed >= most_customers or taken >= most_events then break end
  local lock = KEYS[1] .. 'lock:' .. customer
  if redis.call('EXISTS', lock) == 1 then
    held_elsewhere = held_elsewhere + 1
  else
    local account = string.match(customer, '^([^:]+):')
    local entries = {}
    for _, member in ipairs(redis.call('ZRANGE', KEYS[1] .. customer, 0, most_events - taken - 1)) do
      local arrived = tonumber(string.match(member, '^%d+|(%d+)|'))
      if arrived ~= nil and arrived > due then break end
      local word, mark = '', ''
      local ok, decoded = pcall(cjson.decode, string.match(member, '^%d+|%d+|(.*)$') or '')
      local event = ok and type(decoded) == 'table' and decoded['event'] or nil
      if type(event) == 'table' and event['event_type'] == 'message' and type(event['provider_message_id']) == 'string' then
        mark = KEYS[1] .. 'applied:' .. account .. ':' .. event['provider_message_id']
        word = redis.call('GET', mark)
        if not word then
          redis.call('SET', mark, 'started', 'EX', ARGV[7])
          word = 'first'
        end
      end
      table.insert(entries, member)
      table.insert(entries, word)
      table.insert(entries, mark)
    end
    if #entries > 0 then
      redis.call('SET', lock, ARGV[6], 'PX', ARGV[5])
      table.insert(claimed, {customer, entries})
      taken = taken + #entries / 3
    end
  end
end
local wait = -1
local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if #oldest > 0 then wait = math.max(0, tonumber(oldest[2]) + hold - now) end
return {claimed, wait, held_elsewhere}
"""

# KEYS: prefix, pending, count. ARGV: the claim's token, then JSON: [{customer, done: [member],
# marks: [mark key], unmark: [mark key]}]. Removes the applied (or set aside) events, marks their
# messages done, forgets the marks of claimed events left for later, keeps the backlog figures
# right and releases the customers' locks if still the claim's.
_FINISH = """
for _, customer in ipairs(cjson.decode(ARGV[2])) do
  local inbox = KEYS[1] .. customer['customer']
  for _, member in ipairs(customer['done']) do
    if redis.call('ZREM', inbox, member) == 1 then redis.call('DECR', KEYS[3]) end
  end
  for _, mark in ipairs(customer['marks']) do
    if redis.call('EXISTS', mark) == 1 then redis.call('SET', mark, 'done', 'KEEPTTL') end
  end
  for _, mark in ipairs(customer['unmark']) do
    if redis.call('GET', mark) == 'started' then redis.call('DEL', mark) end
  end
  local left = redis.call('ZRANGE', inbox, 0, 99)
  if #left == 0 then
    redis.call('ZREM', KEYS[2], customer['customer'])
  else
    local oldest
    for _, member in ipairs(left) do
      local arrived = tonumber(string.match(member, '^%d+|(%d+)|'))
      if arrived ~= nil and (oldest == nil or arrived < oldest) then oldest = arrived end
    end
    if oldest ~= nil then redis.call('ZADD', KEYS[2], 'XX', oldest, customer['customer']) end
  end
  local lock = KEYS[1] .. 'lock:' .. customer['customer']
  if redis.call('GET', lock) == ARGV[1] then redis.call('DEL', lock) end
end
return 1
"""


def _redis():
    return rq_queues.get_redis()


def _now_ms():
    return int(time.time() * 1000)


def customer_key(account_id, event):
    """``{account}:{customer}``: whose inbox an event joins (a status: the customer it was sent to)."""
    who = event.customer if event.event_type == "message" else (event.recipient or event.provider_message_id)
    return f"{account_id}:{who}"


def _score(event, arrived_ms):
    moment = getattr(event, "timestamp", None)
    return int(moment.timestamp() * 1000) if isinstance(moment, datetime) else arrived_ms


def _json_value(value):
    return value.isoformat() if isinstance(value, datetime) else str(value)


def record(account_id, events, received_at):
    """Keep the events; True when no drain job was queued: the caller enqueues one.

    Webhooks handled at the same time share one round trip (app/group_commit.py); each returns
    once Redis holds its own events. Raises RedisError when Redis does not answer: nothing of
    this call is accepted then.
    """
    arrived = _now_ms()
    triples = []
    for event in events:
        body = json.dumps({"event": event.to_dict(), "received_at": received_at.isoformat()}, default=_json_value)
        triples += [customer_key(account_id, event), _score(event, arrived), body]
    return _recorder.submit(triples)


def _record_together(calls):
    """One script call for the events of several `record` calls; the first is told to queue the drain."""
    argv = [_now_ms(), MARKER_TTL_MS]
    for triples in calls:
        argv += triples
    marked = bool(rq_queues.run_script(_RECORD, [PREFIX, PENDING, SEQ, COUNT, MARKER], argv))
    return [marked] + [False] * (len(calls) - 1)


_recorder = GroupCommit(_record_together)


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


@dataclass
class Claimed:
    """One customer's due events, taken by a claim: (member, word, mark) triples: what the event's
    message mark said (``first``: never applied, ``started``: an earlier attempt was interrupted,
    ``done``: applied already, a repeated delivery) and the mark's key; both empty for events
    without a mark (statuses, unreadable members)."""

    key: str
    entries: list
    done: list = field(default_factory=list)  # (member, mark) of the events applied or set aside


@dataclass
class Claim:
    token: str
    customers: list
    wait_ms: int | None  # None: nothing pending; otherwise ms until the oldest waiting event is due
    held_elsewhere: int  # due customers another drain holds


def claim(hold_ms, most_events=CLAIM_EVENTS, most_customers=CLAIM_CUSTOMERS, lock_ttl_ms=LOCK_TTL_MS):
    """Lock the customers with due events and take those events, in one round trip."""
    token = secrets.token_hex(8)
    argv = [_now_ms(), hold_ms, most_customers, most_events, lock_ttl_ms, token, MARK_TTL_SECONDS]
    claimed, wait, held_elsewhere = rq_queues.run_script(_CLAIM, [PREFIX, PENDING], argv)
    customers = []
    for key, flat in claimed:
        triples = [(flat[i], flat[i + 1].decode(), flat[i + 2].decode()) for i in range(0, len(flat), 3)]
        customers.append(Claimed(key.decode(), triples))
    return Claim(token, customers, None if wait < 0 else wait, held_elsewhere)


def finish(claim_, pipe):
    """Queue on `pipe` the end of a claim: its customers' done events removed and their messages
    marked done, the marks of events left for later forgotten (unless an earlier attempt had
    started them), locks released."""
    customers = []
    for customer in claim_.customers:
        done = {member for member, _ in customer.done}
        customers.append(
            {
                "customer": customer.key,
                "done": [member.decode() for member, _ in customer.done],
                "marks": [mark for _, mark in customer.done if mark],
                "unmark": [mark for member, word, mark in customer.entries if word == "first" and member not in done],
            }
        )
    rq_queues.run_script(_FINISH, [PREFIX, PENDING, COUNT], [claim_.token, json.dumps(customers)], client=pipe)


def clear_marker():
    """The queued drain starts: a webhook arriving from now on may enqueue another."""
    _redis().delete(MARKER)


def drain_queued():
    """Whether a drain job is queued and has not started (the marker is set)."""
    return bool(_redis().exists(MARKER))


def mark():
    """Claim the right to enqueue a drain; False when one is already queued."""
    return bool(_redis().set(MARKER, _now_ms(), nx=True, px=MARKER_TTL_MS))


def stranded():
    """Customers with events that no drain holds (pending, unlocked), when no drain job is queued:
    the drain that should have taken them died, or its job was lost. Customers listed as pending
    with an empty inbox are tidied away."""
    redis = _redis()
    if redis.exists(MARKER):
        return []
    keys = [raw.decode() for raw in redis.zrange(PENDING, 0, -1)]
    with redis.pipeline(transaction=False) as pipe:  # one round trip for every pending customer
        for key in keys:
            pipe.zcard(PREFIX + key)
            pipe.exists(PREFIX + "lock:" + key)
        answers = pipe.execute()
    found = []
    for key, waiting, locked in zip(keys, answers[::2], answers[1::2], strict=True):
        if not waiting:
            redis.zrem(PENDING, key)
        elif not locked:
            found.append(key)
    return found


def waiting(customer_keys):
    """Whether any of these customers (``{account}:{customer}``) has accepted events not applied yet."""
    if not customer_keys:
        return False
    with _redis().pipeline(transaction=False) as pipe:
        for key in customer_keys:
            pipe.exists(PREFIX + key)
        return any(pipe.execute())


def backlog():
    """(events waiting, seconds the oldest has waited or None)."""
    redis = _redis()
    with redis.pipeline(transaction=False) as pipe:
        pipe.get(COUNT)
        pipe.zrange(PENDING, 0, 0, withscores=True)
        count, oldest = pipe.execute()
    age = max(0.0, (_now_ms() - oldest[0][1]) / 1000) if oldest else None
    return max(int(count or 0), 0), age
