"""Sending a campaign: each recipient sent once, at the number's rate, by however many workers.

A sending job first expands a new campaign's recipients (recipients.py), then runs LANES loops side
by side (a provider call takes tens of milliseconds; one loop could not keep 80 sends a second
going). Each loop takes a send of the number's rate (throttle, shared by every process), takes the
next recipient its run holds (claims.py: claimed by the batch, moved to `sending` one by one just
before the provider call, so no two loops or workers ever send to the same recipient) and sends it.
The campaign's state is read again at least every CHECK_EVERY seconds, so a pause or a cancel stops
every loop within one; what the run held and did not send is given back.

A provider's "too many requests" holds the whole number for its Retry-After (or SLOW_DOWN) and the
recipient waits its turn again; another retryable failure is tried again up to MAX_ATTEMPTS; a
failure that cannot succeed (undeliverable, marketing limit, template errors...) is final, with
the provider's code and a sentence saying what happened. An expired token pauses the campaign
(every send would fail the same way) until an admin fixes the account and resumes it.
"""

import logging
import time
from concurrent.futures import ThreadPoolExecutor

from pymongo import ReturnDocument

from app.db import get_db
from app.observability import shared as shared_metrics
from app.providers.errors import ProviderError
from app.services import clock
from app.services.campaigns import (
    campaign_progress,
    campaign_records,
    campaign_replies,
    campaign_status,
    claims,
    recipients,
    recovery,
    throttle,
)
from app.services.channel import accounts, provider_failures
from app.services.channel.provider_access import adapter_for
from app.services.conversations import statuses
from app.services.conversations.delivery import template_outbound
from app.services.errors import ServiceError, ValidationFailed
from app.services.setup.template_rendering import prepare

log = logging.getLogger(__name__)

LANES = 8
CHECK_EVERY = 0.5
MAX_ATTEMPTS = 5
SLOW_DOWN = 2.0
NOTE_EVERY = 0.25


class _Run:
    """One sending job of one campaign: what its loops share."""

    def __init__(self, campaign):
        self.campaign, self.claims = campaign, claims.Claims(campaign["_id"])
        self.account = accounts.cached_account(campaign["account_id"])
        self.adapter = adapter_for(self.account)
        self.template = get_db().templates.find_one({"_id": campaign["template_id"]})
        self.key = f"account:{campaign['account_id']}"
        self.rate = campaign_records.sending_rate(campaign, self.account)
        self.state, self.read_at, self.noted_at = campaign["state"], time.monotonic(), 0.0
        self.sends = shared_metrics.Tally("sends")  # added to Redis with each note, not at every send

    def current_state(self):
        """The campaign's state, read again every CHECK_EVERY seconds, with the number's tier (an
        admin may lower it mid-campaign)."""
        if time.monotonic() - self.read_at >= CHECK_EVERY:
            doc = get_db().campaigns.find_one({"_id": self.campaign["_id"]}, {"state": 1})
            self.state, self.read_at = (doc or {}).get("state", "cancelled"), time.monotonic()
            self.rate = campaign_records.sending_rate(self.campaign, accounts.cached_account(self.campaign["account_id"]))
            recovery.hold_lease(self.campaign["_id"])  # alive: the reconciler leaves this campaign to us
            self.note(every=0)  # the last moves before a quiet spell are published too
        return self.state

    def note(self, every=NOTE_EVERY):
        """Mark the campaign changed for the admins watching (campaign_progress): at most every
        NOTE_EVERY seconds from this run, not at every send (a Redis call each, at 1,000 a second)."""
        if time.monotonic() - self.noted_at >= every:
            self.noted_at = time.monotonic()
            campaign_progress.changed(self.campaign["_id"])
            self.sends.flush()

    def loop(self):
        while self.current_state() == "sending":
            wait = throttle.take(self.key, self.rate, burst=catch_up(self.rate))
            if wait:
                time.sleep(min(wait, CHECK_EVERY))
                continue
            recipient = self.claims.next()
            if recipient is None:
                return
            if self.claims.start_sending(recipient):
                self.note()
                self.send(recipient)
                self.note()

    def send(self, recipient):
        try:
            if self.template is None:
                raise ValidationFailed("Its template was deleted.")
            _, spec = prepare(self.template, recipient["params"])
            message = template_outbound(self.adapter, self.account, recipient["phone"], str(recipient["_id"]), spec)
        except ServiceError as refused:  # the template changed under the campaign: every send would fail
            _back(recipient, recipient.get("attempts", 0))
            self.pause(f"The template can no longer be sent as this campaign fills it ({refused.message.rstrip('.')}). "
                       "Fix the template, then resume the campaign, or cancel it.")
            return
        try:
            result = self.adapter.send(message)
        except ProviderError as error:
            self.sends.count(self.account["provider"], "campaign", self.failed(recipient, error), error.code)
            return
        self.sends.count(self.account["provider"], "campaign", "sent", "")
        _set(recipient, "sent", state_rank=campaign_status.RANK["sent"], provider_message_id=result.provider_message_id,
             sent_at=clock.now())
        statuses.flush_pending(self.account["_id"], result.provider_message_id)  # a status that beat this write
        campaign_replies.awaiting(self.campaign, recipient)

    def pause(self, because):
        """Pause the campaign until an admin fixes what every send would fail on, and resumes it."""
        get_db().campaigns.update_one(
            {"_id": self.campaign["_id"], "state": "sending"},
            {"$set": {"state": "paused", "paused_at": clock.now(), "paused_because": because}},
        )
        self.state = "paused"
        campaign_progress.publish(self.campaign["_id"])

    def failed(self, recipient, error):
        """Pause, slow down, try again later or give up; returns which as the send metric names it."""
        attempts = recipient.get("attempts", 0) + 1
        if error.category == "auth":
            _back(recipient, recipient.get("attempts", 0))
            self.pause(_paused_because(error))
            return "held"
        if error.category == "rate_limited" and error.retryable:
            throttle.hold(self.key, error.retry_after or SLOW_DOWN)
            _back(recipient, recipient.get("attempts", 0))
            return "retried"
        if error.retryable and attempts < MAX_ATTEMPTS:
            _back(recipient, attempts)
            return "retried"
        shown = error.to_dict()
        _set(recipient, "failed", attempts=attempts, error={**shown, "sentence": provider_failures.sentence(shown)})
        return "failed"


def catch_up(rate):
    """Sends that may go at once after the loops fell behind (a slow provider call, a busy machine):
    a tenth of a second's worth. Without it every late start is lost for good and the campaign runs
    below its rate; with it no window of T seconds ever holds more than rate * T + this."""
    return max(1, rate // 10)


def _paused_because(error):
    return f"{provider_failures.happened(error.to_dict())} Renew the account's credentials, then resume the campaign."


def _set(recipient, state, **fields):
    get_db().campaign_recipients.update_one(
        {"_id": recipient["_id"], "state": "sending"}, {"$set": {"state": state, **fields}, "$unset": {"claim": ""}}
    )


def _back(recipient, attempts):
    """The recipient waits its turn again (the provider asked to slow down, or may succeed later)."""
    _set(recipient, "pending", attempts=attempts)


def run(campaign_id, lanes=LANES):
    """Send the campaign's pending recipients until none is left or it is paused or cancelled;
    returns the campaign's state then."""
    campaign = get_db().campaigns.find_one({"_id": campaign_id})
    if campaign is not None and campaign["state"] == "preparing":
        campaign = recipients.prepare(campaign)
    campaign = _start_if_due(campaign)
    if campaign is None or campaign["state"] != "sending":
        return campaign["state"] if campaign else "missing"
    took_lease = recovery.take_lease(campaign_id)
    if took_lease:  # no run of it is alive: what a dead one held is free again
        claims.release(campaign_id)
    sending = _Run(campaign)
    try:
        with ThreadPoolExecutor(lanes, thread_name_prefix="campaign") as pool:
            for done in [pool.submit(sending.loop) for _ in range(lanes)]:
                done.result()
    finally:
        sending.claims.give_back()
        sending.sends.flush()
        if took_lease:  # another run alive beside this one keeps its lease (and its held claims)
            recovery.drop_lease(campaign_id)
    if sending.current_state() == "sending" and not _left(campaign_id):
        get_db().campaigns.update_one(
            {"_id": campaign_id, "state": "sending"}, {"$set": {"state": "done", "done_at": clock.now()}}
        )
    campaign_progress.publish(campaign_id)  # done, paused or cancelled: the last counts of the run
    return get_db().campaigns.find_one({"_id": campaign_id}, {"state": 1})["state"]


def _start_if_due(campaign):
    """A scheduled campaign whose time has come starts sending (once, whichever job gets there first)."""
    if campaign is None or campaign["state"] != "scheduled" or clock.aware(campaign["start_at"]) > clock.now():
        return campaign
    return get_db().campaigns.find_one_and_update(
        {"_id": campaign["_id"], "state": "scheduled"},
        {"$set": {"state": "sending", "started_at": clock.now()}},
        return_document=ReturnDocument.AFTER,
    ) or get_db().campaigns.find_one({"_id": campaign["_id"]})


def _left(campaign_id):
    waiting = {"campaign_id": campaign_id, "state": {"$in": ["pending", "sending"]}}
    return get_db().campaign_recipients.count_documents(waiting, limit=1)
