"""Where a waiting customer stands: their position in the queue and the likely wait, from how long the
queue's recent customers waited before an agent accepted them."""

import statistics

from app.db import get_db
from app.services import clock

RECENT = 50  # accepted interactions the typical wait is taken from
NO_ESTIMATE = "a few minutes"


def entered(interaction):
    """When the interaction entered the queue this time: `queued_at`, else its reopening, else its creation."""
    moment = interaction.get("queued_at") or interaction.get("reopened_at") or interaction.get("created_at")
    return clock.aware(moment)


def position(interaction):
    """1 + the interactions waiting in the same queue that entered it before this one."""
    mine = (entered(interaction), str(interaction["_id"]))
    waiting = get_db().interactions.find(
        {"status": "queued", "queue_id": interaction.get("queue_id")},
        {"queued_at": 1, "reopened_at": 1, "created_at": 1},
    )
    return 1 + sum(1 for doc in waiting if (entered(doc), str(doc["_id"])) < mine)


def typical_wait(queue_id):
    """Median seconds from entering the queue to being accepted, over the queue's latest accepted
    interactions; None when none was accepted yet."""
    recent = get_db().interactions.find(
        {"queue_id": queue_id, "accepted_at": {"$ne": None}},
        {"queued_at": 1, "reopened_at": 1, "created_at": 1, "accepted_at": 1},
    ).sort("accepted_at", -1).limit(RECENT)
    waits = [(clock.aware(doc["accepted_at"]) - entered(doc)).total_seconds() for doc in recent]
    waits = [wait for wait in waits if wait >= 0]  # an interaction reopened after it was accepted tells nothing
    return statistics.median(waits) if waits else None


def estimated_wait(typical, place, agents_online):
    """The wait of the customer at `place`: the typical wait for each customer ahead, shared by the online agents."""
    return None if typical is None else typical * place / max(1, agents_online)


def human(seconds):
    """A wait as customers read it: "less than a minute", "about 5 minutes", "about 2 hours"."""
    if seconds is None:
        return NO_ESTIMATE
    if seconds < 60:
        return "less than a minute"
    if seconds < 59.5 * 60:
        count = round(seconds / 60)
        return "about a minute" if count == 1 else f"about {count} minutes"
    count = round(seconds / 3600)
    return "about an hour" if count == 1 else f"about {count} hours"
