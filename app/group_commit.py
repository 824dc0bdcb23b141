"""Writes that arrive together share one round trip (a group commit), each caller still waiting for its own.

Many webhook handlers record their events in Redis at once. Each waiting for a round trip of its
own costs most of a webhook's time in a busy web process (the request switches out and back in,
redis-py packs and parses a command for every one). With a `GroupCommit`, the first caller to find
no write in flight leads: it takes every item waiting, its own included, and writes them in one
call; callers that arrive meanwhile wait for the next write, led by the first of them. Every
caller gets its own item's result, or the write's exception: nothing is answered before it is
written, so a webhook is still acknowledged only once Redis holds its events.

Works with threads and with green threads alike (eventlet and gevent patch the primitives).
"""

import threading


class _Waiter:
    def __init__(self):
        self.ready = threading.Event()
        self.lead = False  # woken to lead the next write, its own item still unwritten
        self.result = None
        self.error = None


class GroupCommit:
    """`write(items)` takes a list of items and returns one result per item, in order."""

    def __init__(self, write):
        self._write = write
        self._lock = threading.Lock()
        self._waiting = []  # (item, waiter), in arrival order
        self._writing = False

    def submit(self, item):
        """Write `item` with whatever else is waiting; returns its result (or raises the write's error)."""
        waiter = _Waiter()
        with self._lock:
            self._waiting.append((item, waiter))
            leading = not self._writing
            self._writing = True
        if not leading:
            try:
                waiter.ready.wait()
            except BaseException:  # its caller was stopped (a timeout): the group goes on without it
                self._abandon(waiter)
                raise
            leading = waiter.lead
        if leading:
            self._lead()
        if waiter.error is not None:
            raise waiter.error
        return waiter.result

    def _lead(self):
        """Write every waiting item (the leader's own among them), then wake their callers and hand
        the lead to the first caller that arrived meanwhile, if any."""
        with self._lock:
            group, self._waiting = self._waiting, []
        failure = RuntimeError("the leading caller was stopped before the group's write ended")
        try:
            results = self._write([item for item, _ in group])
            for (_, waiter), result in zip(group, results, strict=True):
                waiter.result = result
            failure = None
        except Exception as exc:  # every caller of the group gets the write's error
            failure = exc
        finally:
            for _, waiter in group:
                if failure is not None:
                    waiter.error = failure
                waiter.ready.set()
            self._hand_over()

    def _hand_over(self):
        """The first waiting caller leads the next write; with none waiting, the next caller will."""
        with self._lock:
            successor = self._waiting[0][1] if self._waiting else None
            self._writing = successor is not None
            if successor is not None:
                successor.lead = True
        if successor is not None:
            successor.ready.set()

    def _abandon(self, waiter):
        with self._lock:
            self._waiting = [(item, other) for item, other in self._waiting if other is not waiter]
            was_chosen = waiter.lead
        if was_chosen:
            self._hand_over()
