"""The periodic check that marks interactions whose 24-hour window has just closed.

An indexed query on (window_expired, window_expires_at) finds only those due; each is marked
with a conditional update, so two runs at once never announce the same expiry twice.
"""

from pymongo import ReturnDocument

from app.db import get_db
from app.services import clock
from app.services.conversations import live, routing

BATCH = 500


def expire_windows():
    """Mark every open interaction whose window has expired; returns how many were marked."""
    due = _due()
    return sum(_mark({"_id": candidate["_id"], **due}) for candidate in get_db().interactions.find(due, {"_id": 1}).limit(BATCH))


def expire_now(interaction_id):
    """Mark this one interaction if its window has passed (the simulator's jump ahead); True if marked."""
    return _mark({"_id": interaction_id, **_due()})


def _due():
    return {"window_expired": False, "window_expires_at": {"$lte": clock.now()}, "is_open": True}


def _mark(query):
    doc = get_db().interactions.find_one_and_update(
        query,
        {"$set": {"window_expired": True}, "$inc": {"seq": 1}},
        projection={"search_terms": 0},
        return_document=ReturnDocument.AFTER,
    )
    if doc is None:
        return False
    live.publish(doc, "window_expired", {"interaction": routing.card(doc)})
    return True
