"""Handing a campaign's pending recipients to its senders: claimed a batch at a time, sent once each.

The recipients are numbered into batches of BATCH as they are expanded (recipients.py). A running
sender claims a whole batch with one write (`claim` = its run's token on every pending recipient of
the batch nobody holds), reads back what it got and hands the recipients out to its loops; a loop
then moves one recipient from pending to `sending` (still holding its run's token) just before
calling the provider. So a recipient reaches the provider at most once whatever the number of
senders: only one run can hold it, and only one loop can move it.

A batch query names its batch, so it reads that batch's entries of the (campaign, state, batch)
index: on the embedded engine a claim costs the batch, not every pending recipient of a 100,000
long campaign. Once the numbered batches are claimed, the recipients that went back to pending
(a provider asked to slow down, a retryable error, a run that stopped) are swept up a batch
at a time, in `_id` order.

A recipient held by a run that ended (paused, cancelled, or a process that died) but never moved to
`sending` never reached the provider: `release` gives it back, and the next run sends it.
"""

import threading

from bson import ObjectId
from pymongo import ASCENDING

from app.db import get_db
from app.services import clock
from app.services.campaigns import opt_out

BATCH = 200


class Claims:
    """One run's supply of recipients, shared by its loops."""

    def __init__(self, campaign_id):
        self.campaign_id, self.token = campaign_id, ObjectId()
        self.batch, self.last_batch = 0, _last_batch(campaign_id)
        self.held, self.lock = [], threading.Lock()

    def next(self):
        """The next recipient this run holds (claiming another batch when out), None when none is left."""
        with self.lock:
            while not self.held:
                got = self._claim_more()
                if got is None:
                    return None
                self.held = got[::-1]
            return self.held.pop()

    def _claim_more(self):
        while self.batch <= self.last_batch:
            got = self._take({"batch": self.batch})
            if got:
                return got
            self.batch += 1
        left = get_db().campaign_recipients.find(
            {"campaign_id": self.campaign_id, "state": "pending", "claim": None}, {"_id": 1},
            sort=[("_id", ASCENDING)], limit=BATCH,
        )
        ids = [doc["_id"] for doc in left]
        return self._take({"_id": {"$in": ids}}) if ids else None

    def _take(self, which):
        """Claim the unheld pending recipients `which` names; the ones this run got (possibly none),
        the numbers that opted out since the campaign was created already skipped."""
        free = {"campaign_id": self.campaign_id, "state": "pending", "claim": None, **which}
        if not get_db().campaign_recipients.update_many(free, {"$set": {"claim": self.token}}).modified_count:
            return []
        got = list(get_db().campaign_recipients.find(
            {"campaign_id": self.campaign_id, "state": "pending", "claim": self.token, **which}, sort=[("_id", ASCENDING)]
        ))
        out = opt_out.opted_out(recipient["phone"] for recipient in got)
        if out:
            get_db().campaign_recipients.update_many(
                {"_id": {"$in": [r["_id"] for r in got if r["phone"] in out]}, "claim": self.token},
                {"$set": {"state": "skipped", "reason": opt_out.SKIPPED}, "$unset": {"claim": "", "params": ""}},
            )
        return [recipient for recipient in got if recipient["phone"] not in out]

    def start_sending(self, recipient):
        """Move a held recipient to `sending`, just before its provider call; False if this run no
        longer holds it (released by a later run after this one was taken for dead)."""
        moved = get_db().campaign_recipients.update_one(
            {"_id": recipient["_id"], "state": "pending", "claim": self.token},
            {"$set": {"state": "sending", "claimed_at": clock.now()}},
        )
        return bool(moved.modified_count)

    def give_back(self):
        """The recipients this run holds but will not send (it is stopping) wait for the next run."""
        with self.lock:
            self.held = []
        get_db().campaign_recipients.update_many(
            {"campaign_id": self.campaign_id, "state": "pending", "claim": self.token}, {"$unset": {"claim": ""}}
        )


def release(campaign_id):
    """Give back what runs of this campaign that are no longer running held but never sent (call
    it only when no run of the campaign is alive: the reconciler does, once its lease expired)."""
    return get_db().campaign_recipients.update_many(
        {"campaign_id": campaign_id, "state": "pending", "claim": {"$ne": None}}, {"$unset": {"claim": ""}}
    ).modified_count


def _last_batch(campaign_id):
    last = get_db().campaign_recipients.find_one({"campaign_id": campaign_id}, {"batch": 1}, sort=[("_id", -1)])
    return (last or {}).get("batch", -1)
