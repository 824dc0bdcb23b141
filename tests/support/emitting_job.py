"""A job for the cluster tests: it emits `event` to `room` through app/realtime/push.py, the way
every job reaches browsers (the Socket.IO message queue on Redis), from whichever worker runs it."""

from app.realtime import push
from workers.context import job

FUNC = "tests.support.emitting_job.emit"


@job
def emit(event, data, room):
    push.emit(event, data, room)
    return "emitted"
