"""Agents' capacity: how many open WhatsApp interactions each holds, and how many they may hold."""

from bson import ObjectId

from app.db import get_db


def open_counts(user_ids):
    """{user id (str): open interactions assigned to them}: one query, whatever the number of agents."""
    counts = {str(user_id): 0 for user_id in user_ids}
    if not counts:
        return counts
    match = {"agent_id": {"$in": [ObjectId(user_id) for user_id in counts]}, "status": "open", "is_open": True}
    for group in get_db().interactions.aggregate([{"$match": match}, {"$group": {"_id": "$agent_id", "n": {"$sum": 1}}}]):
        counts[str(group["_id"])] = group["n"]
    return counts


def limit_of(agent_doc, queue_doc):
    """The most open interactions the agent may hold for this queue: their own `max_open`, else the
    queue's `routing.max_open_per_agent`; None for no limit."""
    if agent_doc.get("max_open") is not None:
        return agent_doc["max_open"]
    return ((queue_doc or {}).get("routing") or {}).get("max_open_per_agent")
