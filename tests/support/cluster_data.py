"""The reference data every process of the test cluster holds: the same users, queue and Meta
account, under the same ids, as processes sharing one MongoDB server would see them.

Each process of tests/foundation/test_multi_process.py has an embedded database of its own;
seeding each one identically is what lets a session signed in on one process be honoured by the
other, and a webhook be accepted by either.
"""

import json
import time

from bson import ObjectId

from app.db import get_db
from app.providers.meta import meta_signature
from app.services import config_cache
from app.services.channel import accounts, inbox
from app.services.people import users
from app.services.setup import queue_admin

PASSWORD = "cluster-password-2026"  # noqa: S105 - throwaway logins of a test database
ADMIN = "admin@cluster.example"
AGENT = "agent@cluster.example"
USERS = {
    ADMIN: ("65a000000000000000000001", "Cluster Admin", "admin"),
    AGENT: ("65a000000000000000000002", "Cluster Agent", "agent"),
}
QUEUE_ID = "65a000000000000000000010"
ACCOUNT_ID = "65a000000000000000000020"
WEBHOOK_KEY = "cluster-webhook-key-0123456789"
APP_SECRET = "cluster-app-secret-0123456789"  # noqa: S105 - signs the test's webhooks
PHONE_NUMBER_ID = "100000000000077"


def _with_id(collection, doc, oid, **fields):
    """The document `doc` as the service created it, stored again under the fixed id `oid`."""
    get_db()[collection].delete_one({"_id": doc["_id"]})
    fixed = {**doc, **fields, "_id": ObjectId(oid)}
    get_db()[collection].insert_one(fixed)
    return fixed


def seed():
    """Store the cluster's users, queue and account (inside an app context)."""
    for email, (oid, name, role) in USERS.items():
        _with_id("users", users.create_user(email, PASSWORD, name, role), oid)
    agent_id = USERS[AGENT][0]
    queue = _with_id("queues", queue_admin.create_queue({"name": "Cluster", "agent_ids": [agent_id]}), QUEUE_ID)
    account = accounts.create_account(
        "Cluster Meta",
        "meta",
        "+15550007700",
        queue_id=queue["_id"],
        api_base="http://127.0.0.1:9/v23.0",  # nothing listens: the tests send nothing out
        credentials={"phone_number_id": PHONE_NUMBER_ID, "waba_id": "100000000000078"},
        secret_values={"access_token": "cluster", "app_secret": APP_SECRET, "verify_token": "cluster"},
    )
    _with_id("accounts", account, ACCOUNT_ID, webhook_key=WEBHOOK_KEY)
    config_cache.changed()


def webhook_path():
    return accounts.WEBHOOK_PATH + WEBHOOK_KEY


def meta_webhook(message_id, sender, text="Hello"):
    """(body, headers) of a Meta webhook carrying a customer's text message to the cluster's account,
    signed as Meta signs it."""
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "100000000000078",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "15550007700", "phone_number_id": PHONE_NUMBER_ID},
                            "contacts": [{"profile": {"name": f"Customer {sender}"}, "wa_id": sender}],
                            "messages": [
                                {
                                    "from": sender,
                                    "id": message_id,
                                    "timestamp": str(int(time.time())),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    raw = json.dumps(body).encode()
    return raw, {"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(raw, APP_SECRET)}


def applied_mark(connection, message_id):
    """The inbox's mark of a customer's message (app/services/channel/inbox.py): "done" once applied."""
    value = connection.get(f"{inbox.PREFIX}applied:{ACCOUNT_ID}:{message_id}")
    return value.decode() if value else None
