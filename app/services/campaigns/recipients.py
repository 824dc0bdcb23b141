"""A campaign's recipients, expanded once from its contact lists into one record each.

Each number is one recipient however many lists hold it (the first contact found gives the
parameters); a contact without a usable number or opted out of marketing is recorded as skipped
with the reason, so the admin sees why it was left out. The records are the campaign's work list,
numbered into batches of claims.BATCH that its senders claim (claims.py).

The campaign's sending job expands them (`prepare`), not the request that created it: a list of
100,000 contacts takes longer than an admin's page should. The job holds the campaign's lease while
it works; one that died halfway is started again by the reconciler, and starts the expansion over
(nothing was sent: the campaign is still "preparing").
"""

import time

from pymongo import ASCENDING, ReturnDocument

from app import jobs
from app.db import get_db
from app.domain.campaign_shapes import CONTACT_FIELDS
from app.services import clock
from app.services.campaigns import campaign_progress, claims, opt_out, recovery
from app.services.contacts.phones import to_e164
from app.services.errors import ValidationFailed

BATCH = 1000
RENEW_EVERY = 3  # seconds; the lease lasts recovery.LEASE_SECONDS
CONTACT_PROJECTION = dict.fromkeys((*CONTACT_FIELDS, "opted_out", "list_id"), 1)


def prepare(campaign):
    """Expand a "preparing" campaign's recipients, then schedule or start it; the campaign then
    (unchanged when another job is expanding it). The lease is held until the campaign has left
    "preparing", and the state is read again once it is taken: a job that took it after another
    finished finds the campaign prepared and deletes nothing."""
    if not recovery.take_lease(campaign["_id"]):
        return campaign
    try:
        campaign = get_db().campaigns.find_one({"_id": campaign["_id"]})
        if campaign is None or campaign["state"] != "preparing":
            return campaign
        get_db().campaign_recipients.delete_many({"campaign_id": campaign["_id"]})  # a dead job's half
        return _prepared(campaign, expand(campaign))
    finally:
        recovery.drop_lease(campaign["_id"])


def _prepared(campaign, expanded):
    start_at = campaign.get("start_at")
    later = start_at is not None and clock.aware(start_at) > clock.now()
    changes = {"expanded": expanded, "state": "scheduled" if later else "sending", "prepared_at": clock.now()}
    if not later:
        changes["started_at"] = clock.now()
    prepared = get_db().campaigns.find_one_and_update(
        {"_id": campaign["_id"], "state": "preparing"}, {"$set": changes}, return_document=ReturnDocument.AFTER
    )
    if prepared is None:  # cancelled meanwhile
        return get_db().campaigns.find_one({"_id": campaign["_id"]})
    campaign_progress.publish(campaign["_id"])
    if later:
        jobs.enqueue(jobs.START_CAMPAIGN, delay=(clock.aware(start_at) - clock.now()).total_seconds(),
                     campaign_id=str(campaign["_id"]))
    return prepared


def expand(campaign):
    """Write the campaign's recipient records; returns {"pending": n, "skipped": m}."""
    query = {"list_id": {"$in": campaign["list_ids"]}}
    if campaign.get("tag"):
        query["tags"] = campaign["tag"]
    seen, batch, counts = set(), [], {"pending": 0, "skipped": 0}
    contacts = get_db().contacts.find(query, CONTACT_PROJECTION, sort=[("list_id", ASCENDING), ("phone", ASCENDING)])
    renewed = time.monotonic()
    for contact in contacts:
        if time.monotonic() - renewed > RENEW_EVERY:  # by time: a run of duplicates writes nothing for long
            recovery.hold_lease(campaign["_id"])
            renewed = time.monotonic()
        record = _record(campaign, contact)
        if record["phone"] is not None:
            if record["phone"] in seen:
                continue
            seen.add(record["phone"])
        record["batch"] = len(seen) // claims.BATCH
        batch.append(record)
        if len(batch) == BATCH:
            _write(batch, counts)
            batch = []
    if batch:
        _write(batch, counts)
    return counts


def _write(batch, counts):
    """Insert a batch of records, the numbers that opted out (by replying STOP) skipped."""
    out = opt_out.opted_out(record["phone"] for record in batch if record["state"] == "pending")
    for record in batch:
        if record["phone"] in out:
            record.update(state="skipped", reason=opt_out.SKIPPED)
            record.pop("params", None)
        counts[record["state"]] += 1
    get_db().campaign_recipients.insert_many(batch)
    campaign_progress.changed(batch[0]["campaign_id"])


def _record(campaign, contact):
    record = {"campaign_id": campaign["_id"], "account_id": campaign["account_id"], "contact_id": contact["_id"],
              "state": "pending", "state_rank": 0, "attempts": 0}
    raw = contact.get("mobile") or contact.get("phone")
    try:
        record["phone"] = to_e164(raw) if raw else None
    except ValidationFailed:
        record["phone"] = None
    if record["phone"] is None:
        record.update(state="skipped", reason="No valid WhatsApp number.")
    elif contact.get("opted_out"):
        record.update(state="skipped", reason=opt_out.SKIPPED)
    else:
        record["params"] = resolve(campaign["params"], contact)
        if record["params"] is None:
            record.update(state="skipped", reason=_empty_field(campaign["params"], contact))
    return record


def resolve(mapping, contact):
    """The template parameters for one contact (prepare()'s shape), or None when a field it needs is empty."""
    def value(source):
        text = source["value"] if source.get("value") is not None else str(contact.get(source["field"]) or "").strip()
        return text or None

    params = {
        "header": [value(s) for s in mapping.get("header", [])],
        "body": [value(s) for s in mapping.get("body", [])],
        "buttons": {index: value(s) for index, s in mapping.get("buttons", {}).items()},
    }
    if None in params["header"] or None in params["body"] or None in params["buttons"].values():
        return None
    return params


def _empty_field(mapping, contact):
    """Why a contact's parameters cannot be filled: the first field the template needs that it lacks."""
    sources = [*mapping.get("header", []), *mapping.get("body", []), *mapping.get("buttons", {}).values()]
    empty = next((s["field"] for s in sources if s.get("field") and not str(contact.get(s["field"]) or "").strip()), None)
    if empty is None:
        return "A value the template needs is empty."
    return f"No {empty.replace('_', ' ')} for this contact: the template needs it."
