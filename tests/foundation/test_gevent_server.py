"""The gevent server's connections send each write at once (TCP_NODELAY): without it every answer
on a kept-alive connection waited for the client's delayed acknowledgement."""

import socket

from app.web.gevent_server import NoDelayHandler, no_delay


def test_no_delay_turns_nagle_off_on_a_tcp_connection_and_leaves_other_sockets_alone():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        accepted, _ = listener.accept()
        with client, accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
            no_delay(accepted)
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    left, right = socket.socketpair()  # a Unix socket: nothing to turn off, no error
    with left, right:
        no_delay(left)


def test_the_handler_sets_it_before_serving_the_connection(monkeypatch):
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        accepted, address = listener.accept()
        with client, accepted:
            served = []

            def serve(handler):  # gevent's own handling, which would read the request: what it finds set
                served.append(handler.socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

            monkeypatch.setattr(NoDelayHandler.__mro__[1], "handle", serve)
            handler = NoDelayHandler.__new__(NoDelayHandler)
            handler.socket = accepted
            handler.handle()
            assert served == [1]
