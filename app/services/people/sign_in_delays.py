"""Growing waits after failed sign-ins, kept per (account, address) pair in Redis.

A wait only ever applies to the address that failed for that account: guesses from
elsewhere can slow the guesser down but never refuse the right password from a fresh
address, so nobody can lock a user out. When Redis cannot be reached the waits are not
enforced (fail open, logged): closing would refuse every user while Redis is down, and
guessing stays bounded by the slow password hash and the per-address limit, which falls
back to each process's memory.
"""

import hashlib
import logging
import math
from dataclasses import dataclass

from redis.exceptions import RedisError

from app import queues
from app.services import clock

log = logging.getLogger(__name__)

# A pair's failures are forgotten this long after its last one.
FORGET_AFTER_SECONDS = 24 * 3600


@dataclass(frozen=True)
class DelayPolicy:
    after_failures: int  # the failure of a pair that first imposes a wait
    first_wait: int  # seconds that first wait lasts
    longest_wait: int  # each further failure doubles the wait, up to this

    def wait_after(self, failures):
        if failures < self.after_failures:
            return 0
        return min(self.first_wait * 2 ** min(failures - self.after_failures, 32), self.longest_wait)


def _key(email, address):
    account = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]
    return f"sign-in-failures:{account}:{address or 'unknown'}"


def wait_seconds(email, address):
    """Whole seconds this address must still wait before trying this account again (0: go ahead)."""
    try:
        until = queues.get_redis().hget(_key(email, address), "until")
    except RedisError as exc:  # an outage is one line per attempt, not a traceback
        log.warning("sign-in waits not enforced: Redis unreachable (%s)", exc)
        return 0
    if until is None:
        return 0
    return max(0, math.ceil(float(until) - clock.now().timestamp()))


def record_failure(email, address, policy):
    """Count a failed sign-in of this pair; return the wait it now imposes in seconds."""
    key = _key(email, address)
    try:
        redis = queues.get_redis()
        failures = redis.hincrby(key, "failures", 1)
        wait = policy.wait_after(failures)
        with redis.pipeline() as pipe:
            pipe.hset(key, "until", clock.now().timestamp() + wait)
            pipe.expire(key, FORGET_AFTER_SECONDS)
            pipe.execute()
    except RedisError as exc:  # an outage is one line per attempt, not a traceback
        log.warning("sign-in failure not counted: Redis unreachable (%s)", exc)
        return 0
    return wait


def clear(email, address):
    """A successful sign-in forgets the pair's failures."""
    try:
        queues.get_redis().delete(_key(email, address))
    except RedisError as exc:  # an outage is one line per attempt, not a traceback
        log.warning("sign-in failures not cleared: Redis unreachable (%s)", exc)


def describe_wait(seconds):
    """'Too many attempts. Try again in 45 seconds.' — minutes once the wait passes 90 s."""
    if seconds <= 90:
        amount, unit = seconds, "second"
    else:
        amount, unit = math.ceil(seconds / 60), "minute"
    return f"Too many attempts. Try again in {amount} {unit}{'' if amount == 1 else 's'}."
