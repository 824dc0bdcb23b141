"""The Socket.IO message queue on Redis, able to put emits on a pipeline of the caller's.

python-socketio's RedisManager publishes each emit on its own. `publish_on(pipe, emit)` runs the
emits `emit()` makes and queues their publishes on `pipe` instead: a drain sends its round's live
events, jobs and emits in one MULTI/EXEC, the emits last, so a browser never hears of an event
the replay log does not hold. The message queue must be the Redis server of `pipe` (Parley uses
REDIS_URL for both). Everything else is python-socketio's.
"""

from contextlib import contextmanager
from contextvars import ContextVar

import socketio

_held = ContextVar("parley_socketio_held", default=None)


class PipelinedRedisManager(socketio.RedisManager):
    def publish_on(self, pipe, emit):
        """Call `emit()`; what it publishes is queued on `pipe` (sent when the caller executes it)."""
        with self._holding() as held:
            emit()
        for message in held:
            pipe.publish(self.channel, self.json.dumps(message))

    @contextmanager
    def _holding(self):
        held = []
        token = _held.set(held)
        try:
            yield held
        finally:
            _held.reset(token)

    def _publish(self, data):
        held = _held.get()
        if held is not None:
            held.append(data)
            return None
        return super()._publish(data)
