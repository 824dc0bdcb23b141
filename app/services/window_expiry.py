"""The periodic check that marks interactions whose 24-hour window has just closed.

An indexed query on (window_expired, window_expires_at) finds only those due; each is marked
with a conditional update, so two runs at once never announce the same expiry twice.
"""

from pymongo import ReturnDocument

from app.db import get_db
from app.services import clock, live, routing

BATCH = 500


def expire_windows():
    """Mark every open interaction whose window has expired; returns how many were marked."""
    now = clock.now()
    due = {"window_expired": False, "window_expires_at": {"$lte": now}, "is_open": True}
    marked = 0
    for candidate in get_db().interactions.find(due, {"_id": 1}).limit(BATCH):
        doc = get_db().interactions.find_one_and_update(
            {"_id": candidate["_id"], **due},
            {"$set": {"window_expired": True}, "$inc": {"seq": 1}},
            projection={"messages": 0},
            return_document=ReturnDocument.AFTER,
        )
        if doc is not None:
            live.publish(doc, "window_expired", {"interaction": routing.card(doc)})
            marked += 1
    return marked
