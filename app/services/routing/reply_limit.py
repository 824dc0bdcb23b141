"""One limiter for every automatic message to a waiting customer (received, position, no agents, out
of hours): a customer gets at most one every N minutes, per account and contact, whatever the
interaction. Kept in Redis, so every worker process shares it; the key expires with its period.

The moment of the last message is the engine's clock (tests move it); Redis's expiry only tidies up.
"""

from app import queues
from app.services import clock

# Claim when the last automatic message is older than the period (or none is known); answer 1 if claimed.
_CLAIM = """
local last = redis.call('GET', KEYS[1])
if last and tonumber(ARGV[1]) - tonumber(last) < tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""


def key(account_id, contact_id):
    return f"parley:auto-reply:{account_id}:{contact_id}"


def claim(account_id, contact_id, every_minutes):
    """Whether an automatic message may go to this customer now; if so, the period starts now."""
    now = clock.now().timestamp()
    return bool(queues.run_script(_CLAIM, [key(account_id, contact_id)], [now, int(every_minutes) * 60]))


def release(account_id, contact_id):
    """Give the claim back: the message it was for was not sent."""
    queues.get_redis().delete(key(account_id, contact_id))
