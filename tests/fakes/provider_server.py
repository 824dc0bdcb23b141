"""A real HTTP server on loopback that stands in for every WhatsApp provider API in tests.

It records each request and answers from per-path scripts, so adapters are exercised with real
sockets, real timeouts and real (de)serialisation. One class serves all providers; helpers
set up the multi-step flows (Meta media, Meta template paging, Twilio media, Sinch OAuth).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def json(self):
        return json.loads(self.body) if self.body else None

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode(), keep_blank_values=True)


@dataclass
class FakeResponse:
    status: int = 200
    json: object = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (longer than a read timeout = timeout)

    def encoded(self) -> tuple[bytes, str]:
        if self.json is not None:
            return json.dumps(self.json).encode(), "application/json"
        return self.body, self.headers.get("Content-Type", "application/octet-stream")


Handler = Callable[[RecordedRequest], FakeResponse]


def bearer_required(token: str, handler: Handler) -> Handler:
    """Wrap ``handler`` so requests without ``Authorization: Bearer <token>`` get Meta's 401 body."""

    def check(req: RecordedRequest) -> FakeResponse:
        if req.headers.get("authorization") != f"Bearer {token}":
            return FakeResponse(401, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}})
        return handler(req)

    return check


def basic_required(user: str, password: str, handler: Handler) -> Handler:
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def check(req: RecordedRequest) -> FakeResponse:
        if req.headers.get("authorization") != expected:
            return FakeResponse(401, {"code": 20003, "message": "Authenticate", "status": 401})
        return handler(req)

    return check


class FakeProviderServer:
    """``script(method, path, *responses)`` queues one-shot answers; ``route`` sets a standing one."""

    def __init__(self):
        self.requests: list[RecordedRequest] = []
        self._queues: dict[tuple[str, str], deque] = defaultdict(deque)
        self._routes: dict[tuple[str, str], Handler] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.url = ""

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> FakeProviderServer:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                req = RecordedRequest(
                    self.command,
                    parts.path,
                    parse_qs(parts.query, keep_blank_values=True),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                )
                resp = fake._answer(req)
                if resp.delay:
                    time.sleep(resp.delay)
                body, content_type = resp.encoded()
                try:
                    self.send_response(resp.status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in resp.headers.items():
                        if name.lower() != "content-type":
                            self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- scripting ----------------------------------------------------------------------
    def script(self, method: str, path: str, *responses: FakeResponse) -> None:
        with self._lock:
            self._queues[(method.upper(), path)].extend(responses)

    def route(self, method: str, path: str, handler: Handler | FakeResponse) -> None:
        with self._lock:
            self._routes[(method.upper(), path)] = handler if callable(handler) else (lambda req: handler)

    def hang(self, method: str, path: str, then: FakeResponse) -> threading.Event:
        """Requests to ``path`` get no answer until the returned event is set, then ``then``
        (a provider that never answers: the client's read timeout or the test decides)."""
        release = threading.Event()

        def held(req: RecordedRequest) -> FakeResponse:
            release.wait(120)
            return then

        self.route(method, path, held)
        return release

    def handler_for(self, method: str, path: str) -> Handler | None:
        """The standing answer of a route, to wrap it (e.g. refuse only some requests)."""
        with self._lock:
            return self._routes.get((method.upper(), path))

    def _answer(self, req: RecordedRequest) -> FakeResponse:
        key = (req.method, req.path)
        with self._lock:
            self.requests.append(req)
            if self._queues[key]:
                return self._queues[key].popleft()
            handler = self._routes.get(key)
        if handler is None:
            return FakeResponse(404, {"error": {"message": f"no fake route for {req.method} {req.path}"}})
        return handler(req)

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path and (method is None or r.method == method.upper())]

    # -- provider flows -----------------------------------------------------------------
    def meta_media(self, media_id: str, data: bytes, mime_type: str, token: str, version: str = "v23.0") -> str:
        """Meta's two steps: GET /<version>/<id> gives a URL; that URL needs the same Bearer token."""
        download_path = f"/whatsapp_business/attachments/{media_id}"
        info = {
            "messaging_product": "whatsapp",
            "url": f"{self.url}{download_path}?mid={media_id}",
            "mime_type": mime_type,
            "sha256": "fake",
            "file_size": str(len(data)),
            "id": media_id,
        }
        self.route("GET", f"/{version}/{media_id}", bearer_required(token, lambda req: FakeResponse(json=info)))
        self.route(
            "GET",
            download_path,
            bearer_required(token, lambda req: FakeResponse(body=data, headers={"Content-Type": mime_type})),
        )
        return download_path

    def meta_templates(self, waba_id: str, templates: list[dict], token: str, page_size: int = 2, version: str = "v23.0"):
        """``/message_templates`` in pages of ``page_size``, linked by ``paging.next`` with an ``after`` cursor."""
        path = f"/{version}/{waba_id}/message_templates"

        def page(req: RecordedRequest) -> FakeResponse:
            start = int(req.query.get("after", ["0"])[0])
            chunk = templates[start : start + page_size]
            body = {"data": chunk, "paging": {"cursors": {"before": str(start), "after": str(start + page_size)}}}
            if start + page_size < len(templates):
                body["paging"]["next"] = f"{self.url}{path}?limit={page_size}&after={start + page_size}"
            return FakeResponse(json=body)

        self.route("GET", path, bearer_required(token, page))
        return path

    def twilio_media(self, path: str, data: bytes, mime_type: str, account_sid: str, auth_token: str) -> str:
        self.route(
            "GET",
            path,
            basic_required(account_sid, auth_token, lambda req: FakeResponse(body=data, headers={"Content-Type": mime_type})),
        )
        return f"{self.url}{path}"

    def sinch_oauth(self, key_id: str, key_secret: str, token: str = "sinch-token-1", expires_in: int = 3600) -> str:
        path = "/oauth2/token"
        body = {"access_token": token, "token_type": "Bearer", "expires_in": expires_in, "scope": ""}
        self.route("POST", path, basic_required(key_id, key_secret, lambda req: FakeResponse(json=body)))
        return path
