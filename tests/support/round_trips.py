"""Counts MongoDB round trips while a block runs, on either engine, with a breakdown by
(collection, operation) for assertion messages.

On a MongoDB server each command pymongo sends is one round trip (a cursor's getMore too): a
CommandListener counts them. The embedded engine has no wire, so its public collection methods are
counted instead, each outermost call once (find_one calling find inside is one query; a find is
counted when it is made, its cursor's iteration is part of it); GridFS goes through its collections.

    with round_trips.counting() as trips:
        ...
    assert trips.total <= 3, trips
"""

import contextlib
import threading
from collections import Counter

from pymongo import monitoring

from app import db
from tests.support.query_shapes import wrapped_collection_methods

# The embedded engine's calls that are one query or write each on a server.
EMBEDDED_OPERATIONS = (
    "find",
    "find_one",
    "insert_one",
    "insert_many",
    "update_one",
    "update_many",
    "replace_one",
    "delete_one",
    "delete_many",
    "find_one_and_update",
    "find_one_and_replace",
    "find_one_and_delete",
    "count_documents",
    "estimated_document_count",
    "distinct",
    "aggregate",
    "bulk_write",
)


class RoundTrips:
    """What was counted: `total`, and `calls` by (collection, operation)."""

    def __init__(self):
        self.calls = Counter()
        self._lock = threading.Lock()

    def add(self, collection, operation):
        with self._lock:
            self.calls[(collection, operation)] += 1

    def by_collection(self):
        totals = Counter()
        for (collection, _), n in self.calls.items():
            totals[collection] += n
        return dict(totals)

    @property
    def total(self):
        return sum(self.calls.values())

    def __repr__(self):
        lines = [f"  {collection}.{operation}: {n}" for (collection, operation), n in sorted(self.calls.items())]
        return "\n".join([f"{self.total} round trips", *lines])


class _Listener(monitoring.CommandListener):
    """Passes every command a pymongo client starts to the counters open at the time."""

    def __init__(self):
        self.counters = []

    def started(self, event):
        collection = event.command.get(event.command_name)
        for counter in list(self.counters):
            counter.add(collection if isinstance(collection, str) else event.database_name, event.command_name)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


# Registered when tests are collected, before any app opens its client: pymongo listens from then on.
_listener = _Listener()
monitoring.register(_listener)


@contextlib.contextmanager
def counting():
    """Count the round trips of the block (every thread of this process)."""
    trips = RoundTrips()
    if not db.is_embedded():
        _listener.counters.append(trips)
        try:
            yield trips
        finally:
            _listener.counters.remove(trips)
        return
    depth = threading.local()

    def wrap(name, original):
        def counted(self, *args, **kwargs):
            outermost = not getattr(depth, "level", 0)
            if outermost:
                trips.add(self.name, name)
            depth.level = getattr(depth, "level", 0) + 1
            try:
                return original(self, *args, **kwargs)
            finally:
                depth.level -= 1

        return counted

    with wrapped_collection_methods(EMBEDDED_OPERATIONS, wrap):
        yield trips


class RedisRoundTrips:
    def __init__(self):
        self.count = 0
        self.sent = []  # the start of each, for assertion messages

    def __repr__(self):
        return f"{self.count} round trips: {self.sent}"


def _command_name(packed):
    """The (first) command's name in what redis-py sends: RESP, `*n $len NAME …`."""
    first = packed[0] if isinstance(packed, list) and packed else packed
    try:
        return bytes(first).split(b"\r\n")[2].decode()
    except (IndexError, TypeError, UnicodeDecodeError):
        return "?"


@contextlib.contextmanager
def redis_round_trips():
    """Counts what this thread sends to Redis while the block runs, on any connection: one command
    or one whole pipeline is one round trip (redis-py sends either in one write). Other threads'
    traffic (a test server's presence heartbeat or progress sweeps) is not the code under test."""
    from redis.connection import AbstractConnection

    trips = RedisRoundTrips()
    send = AbstractConnection.send_packed_command
    counting_thread = threading.get_ident()

    def counted(self, *args, **kwargs):
        if threading.get_ident() != counting_thread:
            return send(self, *args, **kwargs)
        trips.count += 1
        trips.sent.append(_command_name(args[0] if args else kwargs.get("command")))
        return send(self, *args, **kwargs)

    AbstractConnection.send_packed_command = counted
    try:
        yield trips
    finally:
        AbstractConnection.send_packed_command = send
