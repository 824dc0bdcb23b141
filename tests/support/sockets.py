"""Real Socket.IO clients against a live server, and waiting for what they receive."""

import threading
import time

import socketio

from tests.support.http import cookie_header, signed_in_session


def wait_for(predicate, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


class RecordingClient:
    """A python-socketio client that records every event it receives, in order.

    `cookie` is sent with its connection's first request only; a browser's cookies (`http_session`,
    a requests session) go with every request, as behind a proxy that routes on one of them."""

    def __init__(self, server_url, cookie=None, http_session=None, reconnection=False):
        self.events = []
        self._lock = threading.Lock()
        self.client = socketio.Client(reconnection=reconnection, http_session=http_session)
        self.client.on("*", self._record)
        self.server_url = server_url
        self.cookie = cookie

    def _record(self, event, *args):
        with self._lock:
            self.events.append((event, args[0] if len(args) == 1 else list(args)))

    def connect(self):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.client.connect(self.server_url, headers=headers, transports=["polling"], wait_timeout=10)
        return self

    def received(self, name):
        with self._lock:
            return [data for event, data in self.events if event == name]

    def wait_for_event(self, name, timeout=10.0):
        return wait_for(lambda: self.received(name), timeout)

    @property
    def connected(self):
        return self.client.connected

    def disconnect(self):
        if self.client.connected:
            self.client.disconnect()


def connect_as(server, email):
    session = signed_in_session(server.url, email)
    return RecordingClient(server.url, cookie_header(session)).connect()
