"""Queue configuration: name, description, member agents (an agent may be in several queues), and
the nested settings sections (routing, inactivity)."""

from pymongo.errors import DuplicateKeyError

from app.db import get_db
from app.domain.shapes import Inactivity, Queue, Routing
from app.services import config_cache
from app.services.access import room_access
from app.services.errors import Conflict
from app.services.setup.records import Fields, contains, fetch, now, paginate, public

NOUN = "queue"
# The nested settings sections, with their defaults (a queue saved before a section existed has none).
SECTIONS = {"routing": Routing, "inactivity": Inactivity}


def _check(data, partial):
    return Fields(Queue, data, partial).finish("The queue cannot be saved.")


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
    changes = _check(data, partial=True)
    changes["updated_at"] = now()
    try:
        get_db().queues.update_one({"_id": doc["_id"]}, {"$set": _dotted(changes)})
    except DuplicateKeyError:
        raise _duplicate() from None
    config_cache.changed()
    for agent_id in set(doc.get("agent_ids") or []) - set(changes.get("agent_ids", doc.get("agent_ids")) or []):
        room_access.recheck_user(agent_id, left_queue_id=doc["_id"])
    return {**doc, **changes, **{name: {**doc.get(name, {}), **changes[name]} for name in SECTIONS if name in changes}}


def _dotted(changes):
    """A section's settings as dotted paths: changing one of them keeps the section's others."""
    flat = {key: value for key, value in changes.items() if key not in SECTIONS}
    for name in SECTIONS:
        flat.update({f"{name}.{key}": value for key, value in changes.get(name, {}).items()})
    return flat


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
    return public(with_defaults(doc))
