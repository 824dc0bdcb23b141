"""Queues opening: once a minute, each queue whose business hours began since the last look has what
waited offered to its agents (dispatcher.dispatch_queue). Each queue's state at the last look is kept in
Redis; a queue whose hours were turned off counts as opening too, so nothing waits for an opening that
no longer comes."""

from app import queues
from app.db import get_db
from app.services import clock
from app.services.routing import dispatcher, hours
from app.services.routing.queue_settings import hours_of

STATE_SECONDS = 24 * 3600  # a state unread this long (no periodic run) is forgotten


def state_key(queue_id):
    return f"parley:queue-hours:{queue_id}"


def dispatch_opened():
    """Dispatch each queue open now that was closed at the last look; returns their ids."""
    now = clock.now()
    redis = queues.get_redis()
    opened = []
    for queue in get_db().queues.find({}, {"hours": 1}):
        state = "open" if hours.is_open(queue, now) else "closed"
        previous = redis.set(state_key(queue["_id"]), state, ex=STATE_SECONDS, get=True)
        unknown_but_scheduled = previous is None and hours_of(queue)["enabled"]
        if state == "open" and (previous == b"closed" or unknown_but_scheduled):
            dispatcher.dispatch_queue(queue["_id"])
            opened.append(str(queue["_id"]))
    return opened
