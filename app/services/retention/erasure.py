"""Erasing one person (a GDPR erasure request): their contacts in every list, their interactions with
every message, note and attachment, their campaign recipients, and what Redis keeps for them.

An interaction still open is closed first (its agent's desktop sees it close), then erased with the
rest. What remains is one line in `erasures`: who erased, when, the contact ids (opaque) and the
counts; nothing that names the person.
"""

import logging
import time

from app import queues
from app.db import get_db
from app.services import clock, config_cache
from app.services.channel import inbox
from app.services.conversations import lifecycle, live, message_store
from app.services.errors import Conflict
from app.services.retention import files, subject
from app.services.routing import reply_limit

log = logging.getLogger(__name__)

#: How long an erasure waits for the person's messages still in the inbox (a drain applies them in
#: well under a second while workers run).
INBOX_WAIT_SECONDS = 10.0
CLOSING_LINE = "Closed: the customer's data is being erased at their request."


def erase(contact_id, by):
    """Erase the person of contact `contact_id` (NotFound when there is none); returns the counts.
    `by` is who asked: a user's id, or "command line". Conflict, with nothing erased, while messages
    of theirs accepted before it still wait to be stored (they would bring the person back)."""
    person = subject.find(contact_id)
    _wait_for_their_inbox(person)
    db = get_db()
    for interaction in person.interactions:
        if interaction.get("is_open"):
            lifecycle.close_by_system(interaction["_id"], CLOSING_LINE)
    ids = person.interaction_ids
    counts = {
        "contacts": len(person.contacts),
        "interactions": len(ids),
        "media_files": files.delete_only_of(ids),
        "messages": message_store.delete_of(ids),
    }
    db.provider_errors.delete_many({"interaction_id": {"$in": ids}})
    db.interactions.delete_many({"_id": {"$in": ids}})
    campaigns = [c["_id"] for c in db.campaigns.find({}, {"_id": 1})]
    counts["campaign_recipients"] = (
        db.campaign_recipients.delete_many(
            {"campaign_id": {"$in": campaigns}, "phone": {"$in": sorted(person.numbers)}}
        ).deleted_count
        if person.numbers
        else 0
    )
    db.contacts.delete_many({"_id": {"$in": person.contact_ids}})
    db.simulator_numbers.delete_many({"phone": {"$in": sorted(person.numbers)}})
    # An opt-out stays, as a suppression list must (a list imported later never markets to the number
    # again), without the words they wrote.
    db.opt_outs.update_many({"_id": {"$in": sorted(person.numbers)}}, {"$unset": {"word": ""}})  # a number the simulator gave out
    config_cache.changed()
    _forget_in_redis(person)
    db.erasures.insert_one({"at": clock.now(), "by": by, "contact_ids": person.contact_ids, "counts": counts})
    log.info("erasure by %s of contacts %s: %s", by, [str(i) for i in person.contact_ids], counts)
    return counts


def _wait_for_their_inbox(person):
    """Messages of theirs that webhooks brought and workers have not applied yet are applied first (the
    erasure then takes them too): wait for the inbox to let them go, for INBOX_WAIT_SECONDS at most."""
    accounts = [a["_id"] for a in get_db().accounts.find({}, {"_id": 1})]
    keys = [f"{account}:{who}" for account in accounts for who in sorted(person.numbers | person.user_ids)]
    deadline = time.monotonic() + INBOX_WAIT_SECONDS
    while inbox.waiting(keys):
        if time.monotonic() >= deadline:
            raise Conflict("Messages from this person are still being stored; try the erasure again in a minute.")
        time.sleep(0.2)


def _forget_in_redis(person):
    """Their interactions' kept live events and the limits of automatic messages to them."""
    live.forget(person.interaction_ids)
    accounts = {i["account_id"] for i in person.interactions}
    keys = [reply_limit.key(a, c) for a in accounts for c in person.contact_ids]
    if keys:
        queues.get_redis().delete(*keys)
