"""One provider webhook delivery, from raw request to accepted events (framework-free: the view
copies the HTTP request into a ``WebhookRequest`` and turns the outcome into a response), and
the application of each accepted event by the drain job.

Order of checks, each with its own answer so a provider's console shows what is wrong:
unknown key 404 → body too large 413 → wrong content type 415 → unsigned 401 / forged 403 →
unreadable 400 → accepted 200. Nothing is kept before the signature is verified. An accepted
delivery is only written to the account's inbox in Redis (``inbox.record``, one round trip, no
database access): workers apply its events (``apply``, from ``app/services/channel/drain.py``), so
the answer is fast and the provider's deliveries never wait on MongoDB.

Meta routing: one Meta app webhook can serve many business numbers, and Meta sends every
number's events to the one callback URL configured on the app. Each event carries its number's
``phone_number_id`` (``channel_id``): an event for another Meta account's number goes to that
account, provided both accounts share the app secret that signed the payload (the same Meta
app). An event for a number of a different app is dropped and counted as ``foreign_channel``;
an event for a number no account knows stays with the account of the URL.

Routing happens in the worker, so the answer needs no database lookup; the ``foreign_channel``
drops are logged there. Failures are never silent: Redis not answering at the webhook is a 500 so
the provider retries; while applying, an outage leaves the event in the inbox for a later attempt
(deduplication makes repeats safe); an event our code cannot store is logged, kept in
``webhook_failures`` for replay (as JSON text when the database cannot hold its values), and the
customer's next events still go in. An event that is not a customer message or a status we can
take (see ``inbound.malformed``) is refused at the webhook, logged and counted as ``malformed``.
"""

import hmac
import json
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from bson.errors import InvalidDocument
from pymongo.errors import OperationFailure, PyMongoError, WriteError
from redis.exceptions import RedisError

from app import jobs
from app import queues as rq_queues
from app.db import get_db
from app.providers import MalformedWebhook, WebhookRejected, WebhookRequest
from app.services import clock
from app.services.attachments import media_links
from app.services.channel import accounts, inbox, provider_access
from app.services.channel.provider_access import adapter_for
from app.services.conversations import inbound

log = logging.getLogger(__name__)

MB = 1024 * 1024
#: Meta documents webhook payloads below 3 MB; others are smaller. Sandbox bodies carry media
#: as data: URLs (16 MB of audio is about 21.4 MB of base64).
BODY_LIMITS = {"sandbox": 24 * MB}
DEFAULT_BODY_LIMIT = 4 * MB
ACCEPTED_TYPES = {
    "meta": {"application/json"},
    "sinch": {"application/json"},
    "sandbox": {"application/json"},
    "twilio": {"application/x-www-form-urlencoded", "application/json"},
    "kaleyra": {"application/json", "application/x-www-form-urlencoded", "text/plain"},
}
#: Providers that sign a nonce with each request; a nonce is remembered past their timestamp window.
NONCE_HEADERS = {"sinch": "x-sinch-webhook-signature-nonce"}
NONCE_TTL_SECONDS = 30 * 60
TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
#: Faults of our infrastructure, not of the webhook: the provider should retry.
RETRYABLE_FAULTS = (PyMongoError, RedisError, ConnectionError, TimeoutError)
# Refusals a retry meets again: BadValue (an object to insert over 16 MB) and a document over 16 MB.
PERMANENT_WRITE_ERRORS = {2, 10334, 17419}
FAILURE_JSON_MAX = 1024 * 1024  # what a failure keeps of an event too large to store


class WebhookFailure(Exception):
    """The request cannot be accepted: ``status`` and a ``reason`` for the provider's logs."""

    def __init__(self, status, code, reason):
        super().__init__(reason)
        self.status, self.code, self.reason = status, code, reason


@dataclass
class Reply:
    status: int
    body: object  # dict for JSON, str otherwise
    mimetype: str = "application/json"


def account_for_key(webhook_key):
    account = accounts.find_by_webhook_key(webhook_key)
    if account is None:
        raise WebhookFailure(404, "unknown_webhook", "No account has this webhook URL.")
    return account


def body_limit(account):
    return BODY_LIMITS.get(account["provider"], DEFAULT_BODY_LIMIT)


def too_large(account):
    return WebhookFailure(413, "too_large", f"Webhook bodies are limited to {body_limit(account) // MB} MB.")


def handle(account, req: WebhookRequest, base_url):
    """Verify, parse and accept one delivery (into the inbox); raises WebhookFailure for anything not accepted."""
    received_at = clock.now()
    adapter = adapter_for(account, base_url)
    try:
        if req.method == "GET":
            challenge = adapter.verify_handshake(req)
            if challenge is not None:
                return Reply(200, challenge, "text/plain")
        _check_content_type(account, req)
        adapter.verify_request(req)
    except WebhookRejected as exc:
        raise WebhookFailure(exc.status, "rejected", exc.reason) from None
    nonce_key = _unused_nonce(account, req)
    events = _parse(adapter, req)
    media_links.remember_base_url(base_url)
    counts = accept(account, events, received_at)
    _spend_nonce(nonce_key)
    if account["provider"] == "twilio":
        return Reply(200, TWIML_EMPTY, "text/xml")
    return Reply(200, {"ok": True, "counts": dict(counts)})


def _unused_nonce(account, req):
    """Refuse a signed request whose nonce was already accepted (a captured request sent again).

    The nonce is spent only once the delivery is stored, so the provider's retry of a delivery we
    failed to store still gets in. Returns the key to spend, or None for providers without nonces.
    """
    header = NONCE_HEADERS.get(account["provider"])
    nonce = req.header(header) if header else None
    if not nonce:
        return None
    key = f"parley:webhook-nonce:{account['_id']}:{nonce}"
    try:
        used = rq_queues.get_redis().exists(key)
    except RedisError:
        log.warning("nonce of a %s webhook not checked: Redis does not answer", account["provider"])
        return None
    if used:
        raise WebhookFailure(403, "rejected", "This signature nonce was already used.")
    return key


def _spend_nonce(key):
    if key:
        try:
            rq_queues.get_redis().set(key, 1, ex=NONCE_TTL_SECONDS)
        except RedisError:
            log.warning("webhook nonce not recorded: Redis does not answer")


def _check_content_type(account, req):
    if not req.body:
        return
    accepted = ACCEPTED_TYPES.get(account["provider"], {"application/json"})
    if req.media_type not in accepted:
        given = req.media_type or "none"
        raise WebhookFailure(
            415, "unsupported_media_type", f"Content-Type {given} is not accepted here; send {' or '.join(sorted(accepted))}."
        )


def _parse(adapter, req):
    try:
        return adapter.parse_webhook(req)
    except MalformedWebhook as exc:
        raise WebhookFailure(400, "malformed", exc.reason) from None
    except Exception:  # an adapter bug must not become a 500 the provider retries forever
        log.exception("%s webhook could not be parsed", adapter.name)
        raise WebhookFailure(400, "malformed", "The body could not be read.") from None


def accept(account, events, received_at):
    """Keep the events in the account's inbox for the drain jobs; returns the counts known now
    (``accepted``, ``malformed``). Redis not answering is a 500: the provider delivers again."""
    counts = Counter()
    kept = []
    for event in events:
        reason = inbound.malformed(event)
        if reason:
            log.warning("%s event %s for account %s refused as malformed: %s",
                        event.provider, event.provider_message_id, account["_id"], reason)
            counts["malformed"] += 1
        else:
            kept.append(event)
    try:
        needs_drain = inbox.record(account["_id"], kept, received_at) if kept else False
    except RedisError as exc:
        log.warning("webhook for account %s not accepted, the provider will retry: %r", account["_id"], exc)
        raise WebhookFailure(500, "retry_later", "Storage is unavailable; deliver again later.") from exc
    if needs_drain:
        try:
            jobs.enqueue(jobs.DRAIN_INBOX, attempt=1)
        except RedisError:  # the events are kept: the sweep enqueues the drain once the marker expires
            log.warning("drain of the inbox not enqueued: Redis does not answer")
    counts["accepted"] = len(kept)
    return counts


class RetryLater(Exception):
    """Applying the event met an outage of our infrastructure: keep it and try again later."""


def apply(account, event, received_at, retry=False):
    """Apply one event taken from the inbox for the account it belongs to; returns counts by outcome.
    `retry`: an earlier attempt at this event was interrupted (see inbound.ingest).

    An event our code cannot store is kept in ``webhook_failures`` and counted as ``failed``; an
    outage raises RetryLater (the event stays in the inbox).
    """
    counts = Counter()
    for target, routed in route(account, [event], counts):
        try:
            counts.update(inbound.ingest(target, [routed], received_at, retry))
        except RETRYABLE_FAULTS as exc:
            if isinstance(exc, OperationFailure) and exc.code in PERMANENT_WRITE_ERRORS:
                _failed(target, routed, exc, counts)  # a retry would meet the same refusal
                continue
            raise RetryLater(f"event {routed.provider_message_id} of account {target['_id']}: {exc!r}") from exc
        except Exception as exc:
            _failed(target, routed, exc, counts)
    return counts


def _failed(account, event, exc, counts):
    log.exception("event %s of account %s could not be stored", event.provider_message_id, account["_id"])
    _record_failure(account, event, exc)
    counts["failed"] += 1


def _record_failure(account, event, exc):
    record = {
        "account_id": account["_id"],
        "provider": account["provider"],
        "error": f"{type(exc).__name__}: {exc}",
        "at": clock.now(),
    }
    try:
        try:
            get_db().webhook_failures.insert_one({**record, "event": event.to_dict()})
        except (OverflowError, InvalidDocument, WriteError):  # BSON cannot carry it (an integer past 2^63, over 16 MB)
            text = json.dumps(event.to_dict(), default=_json_value)
            if len(text) > FAILURE_JSON_MAX:  # the start, for the admin who reads the failure
                record["event_json_chars"], text = len(text), text[:FAILURE_JSON_MAX]
            get_db().webhook_failures.insert_one({**record, "event_json": text})
    except Exception:  # the log line above is the record of last resort
        log.exception("webhook failure could not be recorded")


def _json_value(value):
    return value.isoformat() if isinstance(value, datetime) else str(value)


def route(account, events, counts):
    """(account, event) pairs: Meta events follow their phone_number_id (see the module docstring)."""
    if account["provider"] != "meta":
        return [(account, event) for event in events]
    own = (account.get("credentials") or {}).get("phone_number_id")
    targets = {}
    routed = []
    for event in events:
        channel = event.channel_id
        if not channel or channel == own:
            routed.append((account, event))
            continue
        if channel not in targets:
            targets[channel] = _meta_account_for(channel, account)
        target = targets[channel]
        if target is None:
            counts["foreign_channel"] += 1
        else:
            routed.append((target, event))
    return routed


def _meta_account_for(phone_number_id, account):
    """The Meta account of this number if it shares ``account``'s app; ``account`` when no account has it."""
    other = get_db().accounts.find_one({"provider": "meta", "credentials.phone_number_id": phone_number_id})
    if other is None:
        return account
    mine = provider_access.provider_config(account)["credentials"].get("app_secret") or ""
    theirs = provider_access.provider_config(other)["credentials"].get("app_secret") or ""
    if mine and hmac.compare_digest(str(mine).encode(), str(theirs).encode()):
        return other
    log.warning(
        "Meta event for phone_number_id %s (account %s) arrived signed by another app: dropped", phone_number_id, other["_id"]
    )
    return None
