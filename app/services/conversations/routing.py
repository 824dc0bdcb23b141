"""Offering queued interactions to agents, and the atomic accept / reject.

An interaction is offered to every active, signed-in agent of its queue who has not rejected it.
Accept is one find_one_and_update on status "queued": exactly one agent wins, whatever the race.
"""

from datetime import timedelta

from pymongo import ReturnDocument

from app.db import get_db
from app.realtime.push import online_user_ids
from app.services import clock, config_cache
from app.services.access.access_rules import load_visible, queue_ids_of
from app.services.conversations import live
from app.services.errors import Conflict, Forbidden
from app.services.serialize import plain


def queue_agent_ids(queue_id):
    """The active agents of the queue (ids as strings), from the configuration cache."""
    if queue_id is None:
        return []
    return config_cache.cached(("queue-agents", queue_id), lambda: _active_members(queue_id))


def cached_queue(queue_id):
    """The queue's name and member agent ids for the message path, from the configuration cache."""
    fields = {"name": 1, "agent_ids": 1}
    return config_cache.cached(("queue", queue_id), lambda: get_db().queues.find_one({"_id": queue_id}, fields))


def _active_members(queue_id):
    queue = cached_queue(queue_id)
    if not queue or not queue.get("agent_ids"):
        return []
    active = get_db().users.find({"_id": {"$in": queue["agent_ids"]}, "active": True}, {"_id": 1})
    return [str(user["_id"]) for user in active]


def online_agent_ids(queue_id):
    """The queue's active agents who are online now (ids as strings)."""
    online = online_user_ids()
    return [agent_id for agent_id in queue_agent_ids(queue_id) if agent_id in online]


def offer_targets(interaction):
    """Agent ids (strings) who should see this interaction offered now."""
    rejected = {str(agent_id) for agent_id in interaction.get("rejected_by", [])}
    return [agent_id for agent_id in online_agent_ids(interaction.get("queue_id")) if agent_id not in rejected]


def card(interaction):
    """What an offer or a list row shows about an interaction."""
    fields = (
        "_id",
        "status",
        "account_id",
        "account_name",
        "queue_id",
        "queue_name",
        "contact_id",
        "contact",
        "agent_id",
        "agent_name",
        "direction",
        "created_at",
        "last_message",
        "unread",
        "window_expires_at",
        "window_expired",
        "tags",
        "disposition",
        "sentiment",
        "reopened_at",
        "acknowledged",
        "sla_breached_at",
        "seq",
    )
    return plain({field: interaction.get(field) for field in fields})


def waiting_for(agent):
    """Queued interactions an agent signing in should be offered."""
    query = {
        "status": "queued",
        "is_open": True,
        "queue_id": {"$in": queue_ids_of(agent["_id"])},
        "rejected_by": {"$ne": agent["_id"]},
    }
    cursor = get_db().interactions.find(query, {"search_terms": 0}).sort("created_at", 1).limit(50)
    return [card(doc) for doc in cursor]


def accept(actor, interaction_id):
    existing = load_visible(actor, interaction_id, {"search_terms": 0})
    if actor["role"] != "admin" and existing.get("queue_id") not in queue_ids_of(actor["_id"]):
        raise Forbidden("Only agents of this interaction's queue can accept it.")
    targets = offer_targets(existing)
    now = clock.now()
    doc = get_db().interactions.find_one_and_update(
        {"_id": existing["_id"], "status": "queued", "is_open": True},
        {
            "$set": {
                "status": "open",
                "agent_id": actor["_id"],
                "agent_name": actor["name"],
                "accepted_at": now,
                "accepted_by": {"id": actor["_id"], "name": actor["name"]},  # agent_name changes on a transfer
                "updated_at": now,
                "unread": 0,
            },
            "$inc": {"seq": 1},
        },
        projection={"search_terms": 0},
        return_document=ReturnDocument.AFTER,
    )
    if doc is None:
        current = get_db().interactions.find_one({"_id": existing["_id"]}, {"agent_name": 1, "status": 1})
        if current and current.get("status") == "closed":
            raise Conflict("This interaction is closed.")
        raise Conflict(f"Already assigned to {current.get('agent_name') or 'another agent'}.")
    get_db().interactions.update_one({"_id": doc["_id"], "first_agent_id": None}, {"$set": {"first_agent_id": actor["_id"]}})
    live.publish(
        doc,
        "assigned",
        {"agent": {"id": str(actor["_id"]), "name": actor["name"]}, "interaction": card(doc)},
        extra_agent_ids=targets,
    )
    return doc


def reject(actor, interaction_id):
    existing = load_visible(actor, interaction_id, {"search_terms": 0})
    doc = get_db().interactions.find_one_and_update(
        {"_id": existing["_id"], "status": "queued", "rejected_by": {"$ne": actor["_id"]}},
        {"$addToSet": {"rejected_by": actor["_id"]}, "$set": {"updated_at": clock.now()}, "$inc": {"seq": 1}},
        projection={"search_terms": 0},
        return_document=ReturnDocument.AFTER,
    )
    if doc is None:
        raise Conflict("This interaction is no longer waiting to be accepted.")
    everyone_said_no = set(queue_agent_ids(doc.get("queue_id"))) <= {str(a) for a in doc["rejected_by"]}
    if everyone_said_no:
        get_db().interactions.update_one({"_id": doc["_id"]}, {"$set": {"all_rejected_at": clock.now()}})
    live.publish(
        doc, "offer_withdrawn", {"agent_id": str(actor["_id"]), "interaction": card(doc)}, extra_agent_ids=[str(actor["_id"])]
    )
    return doc


def reoffer_rejected(delay_seconds):
    """Offer again, to everyone, what every agent rejected a while ago. Returns how many."""
    cutoff = clock.now() - timedelta(seconds=delay_seconds)
    count = 0
    for doc in get_db().interactions.find({"status": "queued", "all_rejected_at": {"$lte": cutoff}}, {"_id": 1}):
        updated = get_db().interactions.find_one_and_update(
            {"_id": doc["_id"], "status": "queued", "all_rejected_at": {"$lte": cutoff}},
            {"$set": {"rejected_by": [], "all_rejected_at": None}, "$inc": {"seq": 1}},
            projection={"search_terms": 0},
            return_document=ReturnDocument.AFTER,
        )
        if updated:
            live.publish(updated, "offer", {"interaction": card(updated)}, extra_agent_ids=offer_targets(updated))
            count += 1
    return count
