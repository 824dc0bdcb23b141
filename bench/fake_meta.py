"""A stand-in for Meta's Cloud API send endpoint, run as its own process by bench/campaign.py.

    python bench/fake_meta.py PORT

Answers every `POST /<version>/<phone number id>/messages` as Meta does (a new `wamid`) and keeps a
log of what it accepted: the time, the number, the reference Parley attached
(`biz_opaque_callback_data`) and the id it answered. Control routes for the benchmark:
- `GET /log`: the log, one JSON array per line; `GET /count`: its length;
- `POST /freeze`: from now on, requests are logged (Meta has them) but held unanswered;
- `POST /release`: the held requests' connections are closed without an answer (the sender sees
  its call fail after Meta accepted it: the doubt a dead worker leaves), and requests are answered
  again;
- `GET /held`: how many requests are held.
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG, LOCK = [], threading.Lock()
FROZEN = {"on": False, "held": 0}
RELEASED = threading.Event()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Meta's API
    disable_nagle_algorithm = True  # each answer leaves at once, not after the client's delayed ACK

    def log_message(self, *args):
        pass

    def _answer(self, status, body, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self._headers_buffer.append(b"\r\n" + data)  # the head and the body in one write
        self.flush_headers()

    def do_GET(self):
        if self.path == "/log":
            with LOCK:
                lines = "\n".join(json.dumps(entry) for entry in LOG)
            self._answer(200, lines, "text/plain")
        elif self.path == "/count":
            self._answer(200, json.dumps(len(LOG)))
        elif self.path == "/held":
            self._answer(200, json.dumps(FROZEN["held"]))
        else:
            self._answer(404, "{}")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/freeze":
            RELEASED.clear()
            FROZEN["on"] = True
            return self._answer(200, "{}")
        if self.path == "/release":
            FROZEN["on"] = False
            RELEASED.set()
            return self._answer(200, "{}")
        if not self.path.endswith("/messages"):
            return self._answer(404, "{}")
        sent = json.loads(body)
        with LOCK:
            wamid = f"wamid.BENCH{len(LOG):08d}"
            LOG.append([time.time(), sent["to"], sent.get("biz_opaque_callback_data"), wamid])
        if FROZEN["on"]:
            with LOCK:
                FROZEN["held"] += 1
            RELEASED.wait()
            self.close_connection = True  # no answer: the caller cannot tell it was accepted
            return None
        return self._answer(200, json.dumps({"messaging_product": "whatsapp", "contacts": [{"wa_id": sent["to"]}],
                                             "messages": [{"id": wamid}]}))


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()
