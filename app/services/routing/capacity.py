"""How many open conversations each agent holds, against their limit.

The limit is the agent's own (`max_open` on the user) or else their queue's default
(`routing.max_open_per_agent`); None means no limit, as before limits existed. Open means assigned
and open: an interaction frees its place when it closes or is transferred away.
"""

from bson import ObjectId

from app.db import get_db


def limit_of(agent, queue):
    """The agent's limit of concurrent open interactions in this queue, or None for no limit."""
    own = (agent or {}).get("max_open")
    if own:
        return own
    return ((queue or {}).get("routing") or {}).get("max_open_per_agent") or None


def open_counts(user_ids):
    """{user id (str): open interactions assigned to them}, every id present (0 for none)."""
    ids = [ObjectId(user_id) if isinstance(user_id, str) else user_id for user_id in dict.fromkeys(user_ids)]
    counts = {str(user_id): 0 for user_id in ids}
    if not ids:
        return counts
    rows = get_db().interactions.aggregate(
        [
            {"$match": {"agent_id": {"$in": ids}, "status": "open", "is_open": True}},
            {"$group": {"_id": "$agent_id", "open": {"$sum": 1}}},
        ]
    )
    for row in rows:
        counts[str(row["_id"])] = row["open"]
    return counts


def open_count(user_id):
    return get_db().interactions.count_documents({"agent_id": user_id, "status": "open", "is_open": True})
