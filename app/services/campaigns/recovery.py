"""Resuming a campaign whose sender died (the periodic `reconcile` job), without sending anyone twice.

A running sender keeps a short lease in Redis (`hold_lease`, renewed as it reads the campaign's
state; an expanding job takes it first). A campaign still "preparing" or "sending" without one has
lost its job: it is queued again, what its dead sender held but never sent is given back
(claims.release), and what it had moved to `sending` is settled. A recipient claimed but never recorded may or may not have
reached the provider. Where the provider echoes the id Parley attached to the send in its status
webhooks (Meta, Kaleyra, Sinch), the first status adopts it (campaign_status.adopt); one that no
status claimed within IN_DOUBT_FOR was not accepted and waits its turn again. Where the provider
echoes nothing, it is marked failed with a sentence saying so, never sent a second time.
"""

from datetime import timedelta

from app import jobs, queues
from app.db import get_db
from app.services import clock
from app.services.campaigns import campaign_progress, claims

LEASE_SECONDS = 15
#: Longer than a provider takes to report a message it accepted, with its webhook retried a while.
IN_DOUBT_FOR = timedelta(minutes=30)
#: Providers whose status webhooks carry the id attached to the send (OutboundMessage.client_ref).
ECHO_REF = ("meta", "kaleyra", "sinch")
UNCONFIRMED = {
    "code": "unconfirmed",
    "title": "Not confirmed",
    "sentence": "The sender stopped while sending this message and the provider cannot tell whether it was "
    "accepted: Parley does not send it again, so the customer never gets it twice.",
}


def _lease_key(campaign_id):
    return f"parley:campaign-lease:{campaign_id}"


def hold_lease(campaign_id):
    queues.get_redis().set(_lease_key(campaign_id), 1, ex=LEASE_SECONDS)


def drop_lease(campaign_id):
    queues.get_redis().delete(_lease_key(campaign_id))


def take_lease(campaign_id):
    """Hold the lease if nobody does (a campaign's expansion runs in one job at a time)."""
    return bool(queues.get_redis().set(_lease_key(campaign_id), 1, ex=LEASE_SECONDS, nx=True))


def resume_campaigns(older_than=None):
    """Queue again the sending (or the expansion) of every campaign left without a job; how many
    were queued."""
    resumed = 0
    for campaign in get_db().campaigns.find({"state": {"$in": ["preparing", "sending"]}}, {"account_id": 1, "state": 1}):
        if queues.get_redis().exists(_lease_key(campaign["_id"])):
            continue
        if campaign["state"] == "sending":
            claims.release(campaign["_id"])
            settle_in_doubt(campaign)
        if jobs.waiting(jobs.SEND_CAMPAIGN, campaign_id=str(campaign["_id"])):
            continue  # its job waits its turn (behind another campaign's): queued again, it would run twice
        jobs.enqueue(jobs.SEND_CAMPAIGN, campaign_id=str(campaign["_id"]))
        resumed += 1
    return resumed


def start_due_campaigns(older_than=None):
    """Queue the start of scheduled campaigns whose time has come (their delayed job may have been
    lost with Redis); the job starts each once. How many were queued."""
    due = get_db().campaigns.find({"state": "scheduled", "start_at": {"$lte": clock.now()}}, {"_id": 1})
    started = 0
    for campaign in due:
        jobs.enqueue(jobs.SEND_CAMPAIGN, campaign_id=str(campaign["_id"]))
        started += 1
    return started


def settle_in_doubt(campaign):
    """Recipients claimed by a dead sender longer than IN_DOUBT_FOR ago: back to pending where the
    provider would have told us of an accepted send, failed where it cannot tell."""
    account = get_db().accounts.find_one({"_id": campaign["account_id"]}, {"provider": 1})
    doubtful = {"campaign_id": campaign["_id"], "state": "sending", "claimed_at": {"$lt": clock.now() - IN_DOUBT_FOR}}
    if account and account["provider"] in ECHO_REF:
        get_db().campaign_recipients.update_many(
            doubtful, {"$set": {"state": "pending"}, "$unset": {"claim": ""}, "$inc": {"attempts": 1}}
        )
    else:
        get_db().campaign_recipients.update_many(
            doubtful, {"$set": {"state": "failed", "state_rank": 99, "error": UNCONFIRMED}, "$unset": {"claim": ""}}
        )
    campaign_progress.changed(campaign["_id"])
