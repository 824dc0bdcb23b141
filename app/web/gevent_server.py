"""The gevent server's connections: answers without waiting for the client's acknowledgements, and a drain.

gevent's WSGI server writes a response's headers and its body in separate sends. With Nagle's
algorithm on (the socket default) the body waits until the client acknowledges the headers, and
clients delay that acknowledgement up to 40 ms: every answer on a kept-alive connection took 44 ms
(measured: sequential requests on one connection, 44 ms with gevent against 0.6 ms with eventlet).
TCP_NODELAY sends each write at once, as eventlet's server does.

The drain (wsgi.py, on SIGTERM): the listening socket is closed, so new connections are refused
and a proxy sends them to another process at once; the requests in progress are counted down
(`in_flight`), and every answer from then on says `Connection: close`, so no kept-alive
connection brings another request.
"""

import socket
import time

import gevent
from gevent import pywsgi

_requests = {"in_flight": 0, "draining": False}


def no_delay(sock):
    """Turn Nagle's algorithm off on a TCP socket (anything else is left as it is)."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:  # not a TCP socket (a Unix socket behind a proxy)
        pass


class NoDelayHandler(pywsgi.WSGIHandler):
    """gevent's handler for one connection, with TCP_NODELAY set before its first request, counting
    the requests in progress and closing the connection after each answer once draining."""

    def handle(self):
        no_delay(self.socket)
        super().handle()

    def handle_one_response(self):
        _requests["in_flight"] += 1  # one thread: the server's greenlets never run at the same time
        try:
            return super().handle_one_response()
        finally:
            _requests["in_flight"] -= 1

    def start_response(self, status, headers, exc_info=None):
        if _requests["draining"] and not any(name.lower() == "connection" for name, _ in headers):
            headers = [*headers, ("Connection", "close")]
        return super().start_response(status, headers, exc_info)


def stop_accepting(server):
    """Refuse new connections from now on; the connections already accepted go on."""
    _requests["draining"] = True
    server.stop_accepting()
    server.socket.close()


def wait_for_requests(deadline):
    """Wait until no request is in progress or the monotonic `deadline` passed; returns how many are left."""
    while _requests["in_flight"] and time.monotonic() < deadline:
        gevent.sleep(0.05)
    return _requests["in_flight"]
