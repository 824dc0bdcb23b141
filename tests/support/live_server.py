"""A real HTTP server for an app, in a thread: for Socket.IO clients and the browser tests."""

import threading

from werkzeug.serving import make_server

from tools.devstack import free_port


class LiveServer:
    def __init__(self, app, with_worker=False):
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.with_worker = with_worker
        self._server = None
        self._thread = None
        self._worker = None

    def start(self):
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        # A short poll: `stop()` waits up to one poll for the serving loop to notice the shutdown.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server", daemon=True
        )
        self._thread.start()
        if self.with_worker:
            from workers import embedded as embedded_worker

            self._worker = embedded_worker.start(self.app)
        return self

    def stop(self):
        if self._worker:
            assert self._worker.stop(), "the embedded worker threads did not stop"
        if self._server:
            self._server.shutdown()
            self._thread.join(5)
