"""Builders for the interactions-management tests: a team, conversations in various states."""

from app.db import get_db
from app.domain import messages as msgs
from app.services import clock
from app.services.attachments import media_store
from app.services.conversations import inbound, lifecycle, routing
from tests.support.builders import make_user
from tests.support.engine import customer_says, make_queue, make_sandbox_account


def make_team(**settings):
    """Two agents in a queue fed by a sandbox account, an agent of another queue, and an admin."""
    alice, bob, carol = make_user("agent", name="Alice"), make_user("agent", name="Bob"), make_user("agent", name="Carol")
    queue = make_queue([alice["_id"], bob["_id"]], name="Sales")
    other_queue = make_queue([carol["_id"]], name="Support")
    account = make_sandbox_account(queue, **settings)
    other_account = make_sandbox_account(other_queue)
    admin = make_user("admin", name="Ada")
    get_db().tags.insert_many([{"name": "vip"}, {"name": "billing"}])
    get_db().dispositions.insert_one({"name": "Resolved"})
    return {"alice": alice, "bob": bob, "carol": carol, "admin": admin, "queue": queue, "account": account,
            "other_queue": other_queue, "other_account": other_account}


def says(account, phone, text, name=None):
    """The customer writes; returns the open interaction of that number on the account."""
    fields = {"timestamp": int(clock.now().timestamp())}
    if name:
        fields["name"] = name
    inbound.ingest(account, customer_says(account, phone, text, **fields))
    return get_db().interactions.find_one({"account_id": account["_id"], "contact.phone": phone, "is_open": True})


def taken(account, agent, phone, text, name=None):
    interaction = says(account, phone, text, name)
    return routing.accept(agent, interaction["_id"])


def attach_image(interaction, data=b"\x89PNG fake image", filename="photo.png"):
    """A customer's image already downloaded into GridFS (as the media worker leaves it)."""
    stored = media_store.put(data, filename, "image/png")
    message = {"id": msgs.new_id(), "provider_message_id": f"sbx.{msgs.new_id()}", "direction": "in", "author": "customer",
               "kind": "image", "caption": "my receipt", "at": clock.now(), "received_at": clock.now(), "reactions": {},
               "media": {"file_id": stored["file_id"], "mime_type": "image/png", "filename": filename, "size": len(data),
                         "state": "ready"}}
    lifecycle.append_line({"_id": interaction["_id"]}, {"$inc": {"messages_len": 1, "message_count": 1}}, message)
    return stored["file_id"]
