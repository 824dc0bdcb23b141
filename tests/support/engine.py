"""Builders for engine tests: accounts, queues and customer messages parsed by the real adapters."""

import itertools
import json
import secrets

from app.providers.base import WebhookRequest
from app.providers.registry import get_provider
from app.providers.sandbox import build_inbound, build_status
from app.services.channel import accounts
from app.services.channel.provider_access import provider_config
from app.services.conversations import live, message_store
from app.services.setup import queue_admin

_seq = itertools.count(1)


def make_queue(agent_ids=(), name=None):
    return queue_admin.create_queue({"name": name or f"Queue {next(_seq)}", "agent_ids": [str(i) for i in agent_ids]})


def make_sandbox_account(queue, **settings):
    n = next(_seq)
    account = accounts.create_account(
        f"Sandbox {n}",
        "sandbox",
        f"+1555000{n:04d}",
        queue_id=queue["_id"],
        secret_values={"webhook_secret": secrets.token_urlsafe(16)},
    )
    if settings:
        from app.db import get_db

        get_db().accounts.update_one({"_id": account["_id"]}, {"$set": {f"settings.{k}": v for k, v in settings.items()}})
        account = get_db().accounts.find_one({"_id": account["_id"]})
    return account


def sandbox_events(account, *bodies):
    """Events as the sandbox adapter parses them from a webhook body."""
    adapter = get_provider(provider_config(account))
    return adapter.parse_webhook(WebhookRequest(body=json.dumps({"events": list(bodies)}).encode()))


def customer_says(account, sender, text="Hello", **fields):
    return sandbox_events(account, build_inbound(sender, fields.pop("kind", "text"), text=text, **fields))


def status_of(account, provider_message_id, status, **fields):
    return sandbox_events(account, build_status(provider_message_id, status, **fields))


def stored_messages(interaction_id):
    """The interaction's messages as the app knows them, oldest first (positions are their indexes)."""
    return [message_store.public(m) for m in message_store.all_of(interaction_id)]


def stored_message(interaction_id, message_id):
    """One message as the app knows it, by its public id."""
    return message_store.public(message_store.get(interaction_id, message_id))


def messages_with(provider_message_id):
    """Every stored message with this provider id."""
    return [message_store.public(m) for m in message_store.with_provider_id(provider_message_id)]


def live_events(interaction_id, event=None):
    """The interaction's replayable live events (as pushed), in order; only `event`s when given."""
    kept = live.events_since(interaction_id, 0)["events"]
    return [e for e in kept if event is None or e["event"] == event]
