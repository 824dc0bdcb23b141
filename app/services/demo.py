"""Demo data for trying Parley: an admin, two agents, a queue, a sandbox account and what the
desktop needs to show every feature (templates, a canned answer, dispositions, tags). Idempotent."""

import secrets

from app.db import get_db
from app.services import config_cache
from app.services.channel import accounts
from app.services.people import users
from app.services.setup import canned_answers, labels, queue_admin, template_catalog

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
    queue = queue_admin.find_by_name(DEMO_QUEUE)
    if queue is None:
        queue = queue_admin.create_queue(
            {
                "name": DEMO_QUEUE,
                "agent_ids": [str(i) for i in agent_ids],
                "description": "Demo queue: every demo agent is a member.",
            }
        )
    else:
        get_db().queues.update_one({"_id": queue["_id"]}, {"$addToSet": {"agent_ids": {"$each": agent_ids}}})
        config_cache.changed()
    account = accounts.find_by_name(DEMO_ACCOUNT) or accounts.create_account(
        DEMO_ACCOUNT,
        "sandbox",
        DEMO_ACCOUNT_PHONE,
        queue_id=queue["_id"],
        secret_values={"webhook_secret": secrets.token_urlsafe(32)},
    )
    _seed_working_set(account, queue)
    return [(email, DEMO_PASSWORD, role) for email, _, role in DEMO_USERS]


DEMO_TEMPLATES = [
    {
        "name": "recontact_hello",
        "category": "utility",
        "recontact": True,
        "components": [
            {
                "type": "BODY",
                "text": "Hello {{1}}! We have news about your request. Reply to continue the conversation.",
                "example": {"body_text": [["{contact.first_name}"]]},
            }
        ],
    },
    {
        "name": "order_ready",
        "category": "utility",
        "available_for_agents": True,
        "components": [
            {
                "type": "BODY",
                "text": "Hi {{1}}, your order {{2}} is ready for pick-up.",
                "example": {"body_text": [["{contact.first_name}", "A-1042"]]},
            },
            {"type": "FOOTER", "text": "Demo shop"},
            {
                "type": "BUTTONS",
                "buttons": [{"type": "QUICK_REPLY", "text": "Thanks!"}, {"type": "QUICK_REPLY", "text": "Call me"}],
            },
        ],
    },
]


def _seed_working_set(account, queue):
    """Templates, a canned answer, dispositions and tags, so every desktop feature can be tried."""
    db = get_db()
    for spec in DEMO_TEMPLATES:
        if not db.templates.find_one({"account_id": account["_id"], "name": spec["name"]}):
            template = template_catalog.create_template({**spec, "account_id": str(account["_id"]), "language": "en"})
            if spec.get("recontact"):
                db.accounts.update_one({"_id": account["_id"]}, {"$set": {"settings.recontact_template_id": template["_id"]}})
                config_cache.changed()
    if not db.canned_answers.find_one({"title": "Greeting"}):
        canned_answers.create_answer(
            {
                "title": "Greeting",
                "queue_ids": [str(queue["_id"])],
                "text": "Hello {contact.first_name}, I am {agent.name}. How can I help you today?",
            }
        )
    for name in ("Solved", "Callback requested", "No answer"):
        if not db.dispositions.find_one({"name": name}):
            labels.dispositions.create({"name": name})
    for name, colour in (("billing", "#b54708"), ("delivery", "#0f766e"), ("vip", "#7a2e98")):
        if not db.tags.find_one({"name": name}):
            labels.tags.create({"name": name, "colour": colour})
