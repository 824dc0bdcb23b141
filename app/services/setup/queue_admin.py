"""Queue configuration: name, description, member agents (an agent may be in several queues), and
its nested settings: routing, business hours, waiting-customer messages and inactivity rules."""

from pymongo.errors import DuplicateKeyError

from app.db import get_db
from app.domain.shapes import Inactivity, Queue, QueueRouting
from app.services import config_cache
from app.services.access import room_access
from app.services.errors import Conflict
from app.services.routing import queue_settings, settings_checks
from app.services.setup.records import Fields, contains, dotted, fetch, now, paginate, public

NOUN = "queue"
# The nested settings sections, with their defaults (a queue saved before a section existed has none).
SECTIONS = {"routing": QueueRouting, "inactivity": Inactivity}


# Settings kept as objects: a change sets the fields it gives, leaving the others as stored.
NESTED = ("routing", "hours", "waiting_messages", "inactivity")


def _check(data, partial, current=None):
    fields = Fields(Queue, data, partial)
    settings_checks.check(fields, current)
    return fields.finish("The queue cannot be saved.")


def _duplicate():
    return Conflict("A queue with this name already exists.", {"name": "Already in use."})


def list_queues(search=None, page=None, per_page=None, agent_id=None):
    query = {}
    if search:
        query["name"] = contains(search)
    if agent_id:
        query["agent_ids"] = fetch("users", agent_id, "agent")["_id"]
    return paginate("queues", query, [("name", 1)], page, per_page)


def all_queues():
    return list(get_db().queues.find({}, {"name": 1}).sort("name", 1))


def find_by_name(name):
    return get_db().queues.find_one({"name": name})


def queues_of_agent(agent_id):
    """The queues an agent is a member of."""
    return list(get_db().queues.find({"agent_ids": agent_id}, {"name": 1}))


def get_queue(queue_id):
    return fetch("queues", queue_id, NOUN)


def create_queue(data):
    doc = _check(data, partial=False)
    doc["created_at"] = doc["updated_at"] = now()
    try:
        doc["_id"] = get_db().queues.insert_one(doc).inserted_id
    except DuplicateKeyError:
        raise _duplicate() from None
    config_cache.changed()
    return doc


def update_queue(queue_id, data):
    doc = get_queue(queue_id)
    changes = _check(data, partial=True, current=doc)
    changes["updated_at"] = now()
    nested = {key: changes.pop(key) for key in NESTED if key in changes}
    try:
        get_db().queues.update_one({"_id": doc["_id"]}, {"$set": {**changes, **dotted(nested)}})
    except DuplicateKeyError:
        raise _duplicate() from None
    config_cache.changed()
    for agent_id in set(doc.get("agent_ids") or []) - set(changes.get("agent_ids", doc.get("agent_ids")) or []):
        room_access.recheck_user(agent_id, left_queue_id=doc["_id"])
    return get_queue(queue_id)


def delete_queue(queue_id):
    """Refuse while an account feeds the queue: its conversations would have nowhere to go."""
    doc = get_queue(queue_id)
    feeding = [a["name"] for a in get_db().accounts.find({"queue_id": doc["_id"]}, {"name": 1})]
    if feeding:
        raise Conflict(f"Accounts feed this queue: {', '.join(feeding)}. Point them to another queue first.")
    get_db().queues.delete_one({"_id": doc["_id"]})
    config_cache.changed()
    get_db().canned_answers.update_many({"queue_ids": doc["_id"]}, {"$pull": {"queue_ids": doc["_id"]}})
    for agent_id in doc.get("agent_ids") or []:
        room_access.recheck_user(agent_id)
    return doc


def with_defaults(doc):
    """The queue with every section's settings, stored or default."""
    return {**doc, **{name: {**shape().model_dump(), **(doc.get(name) or {})} for name, shape in SECTIONS.items()}}


def public_queue(doc):
    """The queue as the API shows it: every setting, defaults included for a queue saved before it existed."""
    settings = {"hours": queue_settings.hours_of(doc), "waiting_messages": queue_settings.waiting_of(doc)}
    return public({**with_defaults(doc), **settings})
