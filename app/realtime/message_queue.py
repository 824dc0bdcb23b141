"""The Socket.IO message queue on Redis, able to publish several emits in one round trip.

python-socketio's RedisManager publishes each emit on its own. Within `publishing_together()` the
emits are kept and published in one pipeline when the block ends (the drain emits a batch of
messages at once); a pipeline Redis refuses falls back to publishing them one by one, with the
manager's own retry. Everything else is python-socketio's.
"""

from contextlib import contextmanager
from contextvars import ContextVar

import socketio

_held = ContextVar("parley_socketio_held", default=None)


class PipelinedRedisManager(socketio.RedisManager):
    @contextmanager
    def publishing_together(self):
        if _held.get() is not None:
            yield
            return
        held = []
        token = _held.set(held)
        try:
            yield
        finally:
            _held.reset(token)
        self._publish_all(held)

    def _publish(self, data):
        held = _held.get()
        if held is not None:
            held.append(data)
            return None
        return super()._publish(data)

    def _publish_all(self, messages):
        if not messages:
            return
        try:
            if not self.connected:
                self._redis_connect()
            pipe = self.redis.pipeline(transaction=False)
            for message in messages:
                pipe.publish(self.channel, self.json.dumps(message))
            pipe.execute()
        except Exception:  # noqa: BLE001 - the manager's own path retries and logs each one
            self.connected = False
            for message in messages:
                super()._publish(message)
