"""The server that bench/inbound_http.py loads, started as its own process.

    python bench/pipeline_server.py parley  STATE_FILE AGENTS   # Parley's real server with bench data
    python bench/pipeline_server.py ceiling STATE_FILE          # the same server stack, no work

`parley` is `wsgi.py` (same monkey-patching, app, embedded worker threads) after seeding a Meta
account, a queue and AGENTS agents (plus one admin) into its database; `ceiling` is Flask with
Flask-SocketIO on the same async server answering the webhook route with 200 and nothing else.
Both write STATE_FILE (JSON: what the load generator needs) once they are about to listen.
"""

import os
import sys

MODE = os.environ.setdefault("PARLEY_ASYNC_MODE", "eventlet")
if MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()
elif MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

import json  # noqa: E402
import secrets  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BENCH_PASSWORD = "bench-password-2026"  # noqa: S105 - throwaway logins of a benchmark database
PHONE_NUMBER_ID = "100000000000001"


def write_state(path, state):
    tmp = Path(path).with_suffix(".tmp")
    tmp.write_text(json.dumps(state))
    tmp.replace(path)


def seed(agent_count):
    from bson import ObjectId

    from app.db import get_db
    from app.services.channel import accounts
    from app.services.people import users
    from app.services.setup import queue_admin

    admin = users.create_user("bench-admin@parley.example", BENCH_PASSWORD, "Bench Admin", "admin")
    first = users.create_user("bench-agent0@parley.example", BENCH_PASSWORD, "Bench Agent 0", "agent")
    # The other agents share the first one's password hash: a hundred slow hashes would only delay the start.
    others = [
        {**first, "_id": ObjectId(), "email": f"bench-agent{n}@parley.example", "name": f"Bench Agent {n}"}
        for n in range(1, agent_count)
    ]
    if others:
        get_db().users.insert_many(others)
    agents = [first, *others]
    queue = queue_admin.create_queue({"name": "Bench", "agent_ids": [str(a["_id"]) for a in agents]})
    app_secret = secrets.token_hex(16)
    account = accounts.create_account(
        "Bench Meta",
        "meta",
        "+15550001000",
        queue_id=queue["_id"],
        credentials={"phone_number_id": PHONE_NUMBER_ID, "waba_id": "100000000000002"},
        secret_values={"access_token": "bench", "app_secret": app_secret, "verify_token": "bench"},
    )
    return {
        "webhook_path": accounts.WEBHOOK_PATH + account["webhook_key"],
        "app_secret": app_secret,
        "phone_number_id": PHONE_NUMBER_ID,
        "admin": admin["email"],
        "agents": [a["email"] for a in agents],
        "password": BENCH_PASSWORD,
    }


def serve_parley(state_file, agent_count):
    import wsgi

    with wsgi.app.app_context():
        state = seed(agent_count)
    write_state(state_file, {**state, "pid": os.getpid()})
    wsgi.serve()


def serve_ceiling(state_file):
    from flask import Flask
    from flask_socketio import SocketIO

    app = Flask(__name__)
    socketio = SocketIO(app, async_mode=MODE)

    @app.post("/webhooks/whatsapp/<key>")
    def webhook(key):
        return "", 200

    write_state(state_file, {"webhook_path": "/webhooks/whatsapp/ceiling", "app_secret": "none", "pid": os.getpid()})
    port = int(os.environ["PARLEY_PORT"])
    socketio.run(app, host="127.0.0.1", port=port, log_output=False, allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    if sys.argv[1] == "parley":
        serve_parley(sys.argv[2], int(sys.argv[3]))
    else:
        serve_ceiling(sys.argv[2])
