"""Sending a campaign: each pending recipient claimed once, sent at the number's rate.

A sending job runs LANES loops side by side (a provider call takes tens of milliseconds; one loop
could not keep 80 sends a second going). Each loop takes a send of the number's rate (throttle,
shared by every process), claims the next pending recipient (pending -> sending, atomically: no
two loops or workers ever send to the same recipient) and sends it. The campaign's state is read
again at least every CHECK_EVERY seconds, so a pause or a cancel stops every loop within one.

A provider's "too many requests" holds the whole number for its Retry-After (or SLOW_DOWN) and the
recipient waits its turn again; another retryable failure is tried again up to MAX_ATTEMPTS; a
failure that cannot succeed (undeliverable, marketing limit, template errors...) is final, with
the provider's code and a sentence saying what happened. An expired token pauses the campaign
(every send would fail the same way) until an admin fixes the account and resumes it.
"""

import logging
import time
from concurrent.futures import ThreadPoolExecutor

from pymongo import ASCENDING, ReturnDocument

from app.db import get_db
from app.providers.errors import ProviderError
from app.services import clock
from app.services.campaigns import campaign_progress, campaign_replies, campaign_status, opt_out, recipients, recovery, throttle
from app.services.channel import accounts, provider_failures
from app.services.channel.provider_access import adapter_for
from app.services.conversations import statuses
from app.services.conversations.delivery import template_outbound
from app.services.setup.template_rendering import prepare

log = logging.getLogger(__name__)

LANES = 8
CHECK_EVERY = 0.5
MAX_ATTEMPTS = 5
SLOW_DOWN = 2.0


class _Run:
    """One sending job of one campaign: what its loops share."""

    def __init__(self, campaign):
        self.campaign = campaign
        self.account = accounts.cached_account(campaign["account_id"])
        self.adapter = adapter_for(self.account)
        self.template = get_db().templates.find_one({"_id": campaign["template_id"]})
        self.key = f"account:{campaign['account_id']}"
        self.state, self.read_at = campaign["state"], time.monotonic()

    def current_state(self):
        if time.monotonic() - self.read_at >= CHECK_EVERY:
            doc = get_db().campaigns.find_one({"_id": self.campaign["_id"]}, {"state": 1})
            self.state, self.read_at = (doc or {}).get("state", "cancelled"), time.monotonic()
            recovery.hold_lease(self.campaign["_id"])  # alive: the reconciler leaves this campaign to us
        return self.state

    def loop(self):
        while self.current_state() == "sending":
            wait = throttle.take(self.key, self.campaign["rate"])
            if wait:
                time.sleep(min(wait, CHECK_EVERY))
                continue
            recipient = _claim(self.campaign["_id"])
            if recipient is None:
                return
            campaign_progress.changed(self.campaign["_id"])  # one more in hand: the page counts it as sending
            self.send(recipient)

    def send(self, recipient):
        if opt_out.opted_out([recipient["phone"]]):  # since the campaign was created
            _set(recipient, "skipped", reason=recipients.OPTED_OUT)
            return
        _, spec = prepare(self.template, recipient["params"])
        message = template_outbound(self.adapter, self.account, recipient["phone"], str(recipient["_id"]), spec)
        try:
            result = self.adapter.send(message)
        except ProviderError as error:
            self.failed(recipient, error)
            return
        _set(recipient, "sent", state_rank=campaign_status.RANK["sent"], provider_message_id=result.provider_message_id,
             sent_at=clock.now())
        statuses.flush_pending(self.account["_id"], result.provider_message_id)  # a status that beat this write
        campaign_replies.awaiting(self.campaign, recipient)

    def failed(self, recipient, error):
        attempts = recipient.get("attempts", 0) + 1
        if error.category == "auth":
            _set(recipient, "pending", attempts=recipient.get("attempts", 0))
            get_db().campaigns.update_one(
                {"_id": self.campaign["_id"], "state": "sending"},
                {"$set": {"state": "paused", "paused_at": clock.now(), "paused_because": _paused_because(error)}},
            )
            self.state = "paused"
            campaign_progress.publish(self.campaign["_id"])
        elif error.category == "rate_limited" and error.retryable:
            throttle.hold(self.key, error.retry_after or SLOW_DOWN)
            _set(recipient, "pending", attempts=recipient.get("attempts", 0))
        elif error.retryable and attempts < MAX_ATTEMPTS:
            _set(recipient, "pending", attempts=attempts)
        else:
            shown = error.to_dict()
            _set(recipient, "failed", attempts=attempts, error={**shown, "sentence": provider_failures.sentence(shown)})


def _paused_because(error):
    return f"{provider_failures.happened(error.to_dict())} Renew the account's credentials, then resume the campaign."


def _claim(campaign_id):
    return get_db().campaign_recipients.find_one_and_update(
        {"campaign_id": campaign_id, "state": "pending"},
        {"$set": {"state": "sending", "claimed_at": clock.now()}},
        sort=[("_id", ASCENDING)],
        return_document=ReturnDocument.AFTER,
    )


def _set(recipient, state, **fields):
    get_db().campaign_recipients.update_one(
        {"_id": recipient["_id"], "state": "sending"}, {"$set": {"state": state, **fields}}
    )
    campaign_progress.changed(recipient["campaign_id"])


def run(campaign_id, lanes=LANES):
    """Send the campaign's pending recipients until none is left or it is paused or cancelled;
    returns the campaign's state then."""
    campaign = _start_if_due(get_db().campaigns.find_one({"_id": campaign_id}))
    if campaign is None or campaign["state"] != "sending":
        return campaign["state"] if campaign else "missing"
    sending = _Run(campaign)
    recovery.hold_lease(campaign_id)
    with ThreadPoolExecutor(lanes, thread_name_prefix="campaign") as pool:
        for done in [pool.submit(sending.loop) for _ in range(lanes)]:
            done.result()
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
