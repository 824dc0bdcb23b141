"""Queues of agents that WhatsApp accounts feed."""

from datetime import datetime, timezone

from pymongo.errors import DuplicateKeyError

from app.db import get_db
from app.services.errors import Conflict, ValidationFailed


def create_queue(name, agent_ids=(), description=""):
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("The queue cannot be created.", {"name": "Name is required."})
    now = datetime.now(timezone.utc)
    doc = {"name": name, "description": description, "agent_ids": list(agent_ids), "created_at": now, "updated_at": now}
    try:
        doc["_id"] = get_db().queues.insert_one(doc).inserted_id
    except DuplicateKeyError:
        raise Conflict("A queue with this name already exists.", {"name": "Already in use."}) from None
    return doc


def find_by_name(name):
    return get_db().queues.find_one({"name": name})


def queues_of_agent(agent_id):
    return list(get_db().queues.find({"agent_ids": agent_id}))
