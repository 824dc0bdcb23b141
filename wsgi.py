"""WSGI application for `flask --app wsgi …` and WSGI servers; run directly, the Socket.IO server.

`python wsgi.py` is the server entry point: the only place that monkey-patches, and it does so
before anything else is imported, as eventlet and gevent require.
"""

import os

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
from app.extensions import socketio  # noqa: E402
from app.services.demo import seed_demo  # noqa: E402
from workers import embedded as embedded_worker  # noqa: E402

app = create_app()


def serve():
    if os.environ.get("PARLEY_SEED_DEMO") == "1":
        # Seeded here, not by a separate command: the embedded database lives in this process.
        with app.app_context():
            logins = seed_demo()
        print("Demo logins:\n" + "\n".join(f"  {role:<6} {email} / {password}" for email, password, role in logins), flush=True)
    if app.config["PARLEY_EMBEDDED_DB"] and app.config["PARLEY_EMBEDDED_WORKER"]:
        embedded_worker.start(app)
    host = os.environ.get("PARLEY_HOST", "127.0.0.1")
    port = int(os.environ.get("PARLEY_PORT", "5000"))
    print(f"Parley is running at http://{host}:{port} (async mode {app.config['PARLEY_ASYNC_MODE']})", flush=True)
    socketio.run(app, host=host, port=port, debug=False, use_reloader=False, log_output=False, allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    serve()
