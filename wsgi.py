"""WSGI application for `flask --app wsgi …` and WSGI servers; run directly, the Socket.IO server.

`python wsgi.py` is the server entry point: the only place that monkey-patches, and it does so
before anything else is imported, as eventlet and gevent require. SIGTERM (or Ctrl-C) stops it gracefully,
within PARLEY_STOP_GRACE_SECONDS: in gevent mode (production's) it stops accepting connections, tells its
Socket.IO clients to reconnect (through the proxy, to another process) and lets the requests in progress
finish; the embedded workers finish the jobs in hand; then it exits 0.
"""

import logging
import os
import signal
import sys
import threading
import time

from config import async_mode  # the settings module imports nothing that patching must precede

if __name__ == "__main__":
    _mode = async_mode()
    if _mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()
    elif _mode == "gevent":
        from gevent import monkey

        monkey.patch_all()

from app import create_app  # noqa: E402
from app.embedded_engine import heap  # noqa: E402
from app.extensions import socketio  # noqa: E402
from app.realtime import push  # noqa: E402
from app.services.demo import seed_demo  # noqa: E402
from workers import embedded as embedded_worker  # noqa: E402

app = create_app()
log = logging.getLogger("parley")


def _stop_gracefully(worker, name):
    """Drain the server (gevent), let the embedded workers finish their jobs, all bounded by
    PARLEY_STOP_GRACE_SECONDS, then end the process with 0.

    Run in its own (green) thread: the server loop is left as it is and the process ends with
    os._exit, the one exit every async mode honours from outside its loop. A job still running
    after the grace keeps its message `queued` with an expiring claim (the reconciler sends it)."""
    grace = app.config["PARLEY_STOP_GRACE_SECONDS"]
    deadline = time.monotonic() + grace
    if worker is not None:
        worker.stop_event.set()  # they take no new job from now on, while the server drains
    if app.config["PARLEY_ASYNC_MODE"] == "gevent" and socketio.wsgi_server is not None:
        _drain(name, deadline)
    log.warning("%s: waiting up to %g s for the jobs in hand", name, grace)
    stopped = worker is None or worker.stop(max(0.0, deadline - time.monotonic()))
    log.warning("%s: %s; exiting", name, "workers stopped" if stopped else f"jobs still running after {grace:g} s were left")
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _drain(name, deadline):
    """Refuse new connections (a proxy sends them to another process), tell this process's sockets
    to reconnect and close them, and let the requests in progress finish until `deadline`."""
    from app.web import gevent_server

    gevent_server.stop_accepting(socketio.wsgi_server)
    closed = push.close_local_sockets()
    log.warning("%s: draining: new connections refused, %d sockets told to reconnect", name, closed)
    left = gevent_server.wait_for_requests(deadline)
    if left:
        log.warning("%s: %d requests still in progress at the end of the grace were cut", name, left)
    else:
        log.warning("%s: requests finished", name)


def _stop_on_signals(worker, mode):
    """SIGTERM and SIGINT (Ctrl-C) start _stop_gracefully once, off the signal handler's frame
    (which may be the event loop's)."""
    started = []

    def handle(signum, *_):
        if started:
            return
        started.append(signum)
        name = signal.Signals(signum).name
        if mode == "eventlet":
            import eventlet

            eventlet.spawn_n(_stop_gracefully, worker, name)
        elif mode == "gevent":
            _stop_gracefully(worker, name)  # gevent runs this handler in a greenlet of its own
        else:
            threading.Thread(target=_stop_gracefully, args=(worker, name), name="parley-stop", daemon=True).start()

    for signum in (signal.SIGTERM, signal.SIGINT):
        if mode == "gevent":  # gevent runs signal handlers only through its own loop
            import gevent

            gevent.signal_handler(signum, handle, signum)
        else:
            signal.signal(signum, handle)


def serve():
    if os.environ.get("PARLEY_SEED_DEMO") == "1":
        # Seeded here, not by a separate command: the embedded database lives in this process.
        with app.app_context():
            logins = seed_demo()
        print("Demo logins:\n" + "\n".join(f"  {role:<6} {email} / {password}" for email, password, role in logins), flush=True)
    worker = None
    if app.config["PARLEY_EMBEDDED_DB"]:
        heap.install()  # the stored data lives in this process: full collections walk only what is new
    if app.config["PARLEY_EMBEDDED_DB"] and app.config["PARLEY_EMBEDDED_WORKER"]:
        worker = embedded_worker.start(app)
    _stop_on_signals(worker, app.config["PARLEY_ASYNC_MODE"])
    host = os.environ.get("PARLEY_HOST", "127.0.0.1")
    port = int(os.environ.get("PARLEY_PORT", "5000"))
    print(f"Parley is running at http://{host}:{port} (async mode {app.config['PARLEY_ASYNC_MODE']})", flush=True)
    server_options = {}
    if app.config["PARLEY_ASYNC_MODE"] == "gevent":
        from app.web.gevent_server import NoDelayHandler

        server_options["handler_class"] = NoDelayHandler  # answers not held back by Nagle's algorithm
    socketio.run(
        app,
        host=host,
        port=port,
        debug=False,
        use_reloader=False,
        log_output=False,
        allow_unsafe_werkzeug=True,
        **server_options,
    )


if __name__ == "__main__":
    serve()
