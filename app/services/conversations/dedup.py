"""At-least-once delivery made exactly-once: each provider event is claimed by a unique key."""

from pymongo.errors import DuplicateKeyError

from app.db import get_db
from app.services import clock


def claim(key):
    """True the first time `key` is seen (keys expire with the TTL index on `at`)."""
    try:
        get_db().webhook_events.insert_one({"_id": key, "at": clock.now()})
        return True
    except DuplicateKeyError:
        return False


def release(key):
    """Forget `key` after a failure, so the provider's next delivery is processed."""
    get_db().webhook_events.delete_one({"_id": key})


def once(key, handler):
    """Run `handler()` unless `key` was claimed before; a failure releases the claim."""
    if not claim(key):
        return "duplicate"
    try:
        return handler()
    except Exception:
        release(key)
        raise
