"""Offering a queue's waiting interactions to its agents.

This minimal version offers every interaction waiting in the queue to the queue's online agents who
did not reject it, as the offer of a new interaction does; the routing strategies replace it."""

from pymongo import ReturnDocument

from app.db import get_db
from app.services import clock
from app.services.conversations import live, routing
from app.services.routing import hours, queue_settings


def dispatch_queue(queue_id):
    """Offer again what waits in the queue (e.g. when its business hours begin); returns how many."""
    if not hours.is_open(queue_settings.cached(queue_id), clock.now()):
        return 0
    count = 0
    for doc in get_db().interactions.find({"status": "queued", "queue_id": queue_id}, {"_id": 1}):
        updated = get_db().interactions.find_one_and_update(
            {"_id": doc["_id"], "status": "queued", "is_open": True},
            {"$inc": {"seq": 1}},
            projection={"search_terms": 0},
            return_document=ReturnDocument.AFTER,
        )
        if updated:
            live.publish(updated, "offer", {"interaction": routing.card(updated)}, extra_agent_ids=routing.offer_targets(updated))
            count += 1
    return count
