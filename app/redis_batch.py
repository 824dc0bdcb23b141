"""Redis writes held back while a batch of work is applied, then sent in one round trip.

A drain applies many inbound events in a row; each leaves Redis work behind (its live event in the
replay log, its follow-up jobs, its Socket.IO emits). Inside `Batch.collecting()` that work is
queued instead of sent: `jobs.enqueue` and `live.publish_or_raise` put their writes on the batch's
pipeline, `push.emit` keeps its emits. The caller adds what else it needs (the inbox's ``finish``)
and the emits last (`push.emit_on`), and `flush()` sends it all in one MULTI/EXEC: a failure
raises RedisError and nothing of it happened, emits included; the caller applies the events
again, which is harmless (see app/services/conversations/inbound.py).

The round trips matter most where a worker shares its process with the web server: every wait
for Redis lets every webhook handler in, so a drain of fifty events costs three waits, not a few
hundred.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from app import queues

_current = ContextVar("parley_redis_batch", default=None)


class Batch:
    def __init__(self):
        # One MULTI/EXEC: RQ queues its jobs only on a pipeline in a transaction.
        self.pipe = queues.get_redis().pipeline(transaction=True)
        self.pipe.multi()
        self.emits = []  # (event, data, room), in order
        self.memo = {}  # reads that hold for the batch's short life (who is online), by name
        self.gathered = {}  # job -> the items its one job of the batch carries (jobs.gather)
        self._before_flush = []

    @contextmanager
    def collecting(self):
        """Within: jobs, live events and emits join this batch (a nested batch joins the outer)."""
        if _current.get() is not None:
            yield
            return
        token = _current.set(self)
        try:
            yield
        finally:
            _current.reset(token)

    def before_flush(self, callback):
        """Call `callback()` when the batch is flushed, before its writes are sent (it adds its own)."""
        self._before_flush.append(callback)

    def flush(self):
        """Send the writes in one round trip (once: a batch is used once); raises RedisError if
        Redis does not take them."""
        try:
            for callback in self._before_flush:
                callback()
            self.pipe.execute()
        finally:
            self.pipe.reset()


def current():
    """The batch being collected in this thread or greenlet, or None."""
    return _current.get()
