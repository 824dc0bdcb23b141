"""Signing in over real HTTP (requests), for Socket.IO clients and the server smoke test."""

import re
import socket

import requests

from tests.support.builders import PASSWORD


def signed_in_session(base_url, email, password=PASSWORD):
    session = requests.Session()
    html = session.get(f"{base_url}/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = session.post(
        f"{base_url}/login", data={"email": email, "password": password, "csrf_token": token}, allow_redirects=False, timeout=10
    )
    assert response.status_code == 302, f"sign-in failed: {response.status_code}"
    return session


def cookie_header(session):
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def api_caller(session, base_url):
    """`call(method, path, body=None)` on /api/v1 with `session`'s sign-in and its page's CSRF token."""
    html = session.get(f"{base_url}/desktop/", timeout=10).text
    token = html.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    return lambda method, path, body=None: session.request(
        method, f"{base_url}/api/v1{path}", json=body, headers={"X-CSRFToken": token}, timeout=10
    )


class RequestInProgress:
    """A POST to `path` on a server at 127.0.0.1:`port` whose body waits: its headers ask for
    `100 Continue`, which gevent's server sends when the application starts reading the body, so
    once started() the request is being handled. send_body() finishes it; answer() reads the reply."""

    def __init__(self, port, path, body, headers):
        self.body = body
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}", "Expect: 100-continue"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())

    def started(self):
        return self._head().startswith("HTTP/1.1 100 Continue")

    def send_body(self):
        self.sock.sendall(self.body)

    def answer(self):
        """The status line and headers of the answer (the connection is closed after)."""
        head = self._head()
        self.sock.close()
        return head

    def _head(self):
        """The next status line and headers, read byte by byte up to the blank line (nothing of what follows)."""
        received = b""
        while not received.endswith(b"\r\n\r\n"):
            byte = self.sock.recv(1)
            if not byte:
                break
            received += byte
        return received.decode()
