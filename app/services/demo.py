"""Demo data for trying Parley: an admin, two agents, a queue and a sandbox account. Idempotent."""

import secrets

from app.db import get_db
from app.services import accounts, queues, users

DEMO_PASSWORD = "parley-demo-2026"  # noqa: S105 - published demo login, printed at start-up
DEMO_USERS = [
    ("admin@parley.example", "Ada Admin", "admin"),
    ("agent1@parley.example", "Alex Agent", "agent"),
    ("agent2@parley.example", "Sam Agent", "agent"),
]
DEMO_QUEUE = "Support"
DEMO_ACCOUNT = "Demo sandbox"
DEMO_ACCOUNT_PHONE = "+15550001000"


def seed_demo():
    """Create what is missing and return the logins (email, password, role)."""
    ids = {}
    for email, name, role in DEMO_USERS:
        user = users.find_by_email(email) or users.create_user(email, DEMO_PASSWORD, name, role)
        ids[email] = user["_id"]
    agent_ids = [ids[email] for email, _, role in DEMO_USERS if role == "agent"]
    queue = queues.find_by_name(DEMO_QUEUE)
    if queue is None:
        queue = queues.create_queue(DEMO_QUEUE, agent_ids, "Demo queue: every demo agent is a member.")
    else:
        get_db().queues.update_one({"_id": queue["_id"]}, {"$addToSet": {"agent_ids": {"$each": agent_ids}}})
    if accounts.find_by_name(DEMO_ACCOUNT) is None:
        accounts.create_account(
            DEMO_ACCOUNT,
            "sandbox",
            DEMO_ACCOUNT_PHONE,
            queue_id=queue["_id"],
            secret_values={"webhook_secret": secrets.token_urlsafe(32)},
        )
    return [(email, DEMO_PASSWORD, role) for email, _, role in DEMO_USERS]
