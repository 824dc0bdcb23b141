"""A customer's reply to a campaign: the interaction it lands in is linked to the campaign.

A send leaves a mark in Redis under (account, number) naming its recipient record, kept for the
campaign's response timeout in days: the recipient's wait. The customer's next message, in a new
interaction or an open one, links that interaction to the campaign ("campaign" on it), marks the
recipient replied with the interaction, and ends the wait; with the campaign's "close interaction
with quick reply", an answer by one of the template's buttons closes it with a system line. The
writes come before the mark is removed, so a retried drain links again, to the same effect; once
the timeout passes, the wait ends by itself and a later message is an ordinary one.

A drain reads the waits of its round's customers in one round trip (`waits_of`): a Redis call per
message would hand the process to the webhook handlers at every message and starve the drain.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from bson import ObjectId
from redis.exceptions import RedisError

from app import queues
from app.db import get_db
from app.services import clock
from app.services.campaigns import campaign_progress, campaign_status
from app.services.conversations import lifecycle, routing

QUICK_REPLIES = ("template_reply", "button_reply")
DAY = 86400
PREFIX = "parley:campaign-wait:"

_known = ContextVar("parley_campaign_waits", default=None)  # customer key -> its wait, read ahead


def _customer(account_id, phone):
    return f"{account_id}:{phone}"  # the inbox's customer key (app/services/channel/inbox.py)


def _key(account_id, phone):
    return PREFIX + _customer(account_id, phone)


@contextmanager
def waits_of(customer_keys):
    """Read the waits of these customers (``{account}:{number}``) in one round trip for `link`."""
    keys = list(dict.fromkeys(customer_keys))
    try:
        values = queues.get_redis().mget([PREFIX + key for key in keys]) if keys else []
    except RedisError:
        values = None  # each link asks on its own (and meets the outage there)
    token = _known.set(dict(zip(keys, values, strict=True)) if values is not None else None)
    try:
        yield
    finally:
        _known.reset(token)


def awaiting(campaign, recipient):
    """Start the recipient's wait for a reply (its template was just sent)."""
    seconds = campaign["response_timeout_days"] * DAY
    queues.get_redis().set(_key(campaign["account_id"], recipient["phone"]), str(recipient["_id"]), ex=seconds)


def link(account, interaction, how):
    """Link `interaction` to the campaign the customer answers, if one waits. A waiting interaction
    the message just opened (`how`: created, reopened) goes to the campaign's reply queue.
    (interaction as it is now, the campaign or None)."""
    customer = _customer(account["_id"], interaction["contact"]["phone"])
    known = _known.get()
    waiting = known[customer] if known is not None and customer in known else queues.get_redis().get(PREFIX + customer)
    if waiting is None:
        return interaction, None
    recipient = get_db().campaign_recipients.find_one({"_id": _object_id(waiting)})
    fields = {"name": 1, "close_on_quick_reply": 1, "reply_queue_id": 1}
    campaign = recipient and get_db().campaigns.find_one({"_id": recipient["campaign_id"]}, fields)
    if campaign is not None:
        get_db().campaign_recipients.update_one(
            {"_id": recipient["_id"], "state_rank": {"$lt": campaign_status.RANK["replied"]}},
            {"$set": {"state": "replied", "state_rank": campaign_status.RANK["replied"], "replied_at": clock.now(),
                      "interaction_id": interaction["_id"]}},
        )
        campaign_progress.changed(recipient["campaign_id"])
        changes = {"campaign": {"id": campaign["_id"], "name": campaign["name"], "recipient_id": recipient["_id"]}}
        queue_id = campaign.get("reply_queue_id")
        just_opened = how in ("created", "reopened") and interaction["status"] == "queued"
        if just_opened and queue_id not in (None, interaction["queue_id"]):
            queue = routing.cached_queue(queue_id)
            if queue is not None:
                changes.update(queue_id=queue_id, queue_name=queue["name"])
        get_db().interactions.update_one({"_id": interaction["_id"]}, {"$set": changes})
        interaction = {**interaction, **changes}
    queues.get_redis().delete(PREFIX + customer)
    if known is not None:
        known[customer] = None  # the customer's next message this round is an ordinary one
    return interaction, campaign


def close_if_quick_reply(interaction, message, campaign):
    """With the campaign's "close interaction with quick reply", a button answer closes it."""
    if campaign and campaign.get("close_on_quick_reply") and message.get("kind") in QUICK_REPLIES:
        answer = (message.get("reply") or {}).get("title") or message.get("text") or "a button"
        said = f"Closed automatically: the customer answered the campaign “{campaign['name']}” with “{answer}”."
        lifecycle.close_by_system(interaction["_id"], said)


def _object_id(raw):
    return ObjectId(raw.decode() if isinstance(raw, bytes) else raw)
