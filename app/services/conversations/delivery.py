"""Sending one stored message through its account's provider (run by an RQ job).

Whether a failure is tried again follows the error table (app/domain/provider_errors.py) for
the codes it knows, else the HTTP status (429, 5xx, timeouts): again with exponential backoff and
jitter, never sooner than the provider's Retry-After or the table's wait (a pair rate limit);
final ones mark the message failed with the table's meaning and action. An expired or revoked
token marks the account "needs re-authorization" and holds its messages until an admin fixes the
credentials.
"""

import logging
import random
from datetime import timedelta

from app import jobs
from app.db import get_db
from app.domain import interactive, provider_errors
from app.domain.messages import STATUS_RANK
from app.domain.window import is_open as window_is_open
from app.observability import shared as shared_metrics
from app.providers.errors import ProviderError
from app.providers.events import Location
from app.providers.outbound import OutboundMedia, OutboundMessage, OutboundReaction, TemplateButton, TemplateHeader, TemplateSpec
from app.services import clock, config_cache
from app.services.access.access_rules import as_oid
from app.services.attachments import media_store
from app.services.attachments.media_links import public_link
from app.services.channel import accounts, provider_failures
from app.services.channel.provider_access import adapter_for, capabilities
from app.services.conversations import last_failure, live, message_store, statuses
from app.services.conversations.statuses import FAILED_RANK

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE = 2.0
BACKOFF_CAP = 300.0
#: A worker claims a message for this long before calling the provider (`sending_at`): a second
#: job for it meanwhile does nothing, and the claim of a worker that died mid-call expires, so
#: the reconciler (reconcile.py) sends it again. It outlives the send job's timeout (app/jobs.py).
CLAIM_SECONDS = 2 * jobs.SEND_MESSAGE.timeout
#: What a failed attempt led to, as the send metric names it (parley_sends_total's outcome).
SEND_OUTCOMES = {"retrying": "retried", "failed": "failed", "held": "held"}


def backoff(attempt, retry_after=None):
    """Seconds before attempt `attempt + 1`: exponential with jitter, at least Retry-After."""
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1)) + random.uniform(0, 1)  # noqa: S311 - jitter
    return max(delay, retry_after or 0)


def enqueue_delivery(interaction_id, message_id, attempt=1, delay=None):
    return jobs.enqueue(
        jobs.SEND_MESSAGE, delay=delay, interaction_id=str(interaction_id), message_id=message_id, attempt=attempt
    )


def deliver(interaction_id, message_id, attempt=1):
    """Send the message if it still waits; returns what happened (sent, retrying, failed, held, skipped)."""
    message = message_store.get(as_oid(interaction_id), message_id)
    if message is None:
        return "skipped"
    if message.get("status") != "queued" or message.get("provider_message_id"):
        return "skipped"  # sent already: a repeated job must not send twice
    interaction = get_db().interactions.find_one(
        {"_id": message["interaction_id"]}, {"account_id": 1, "contact": 1, "window_expires_at": 1}
    )
    if interaction is None:
        return "skipped"
    account = accounts.cached_account(interaction["account_id"])
    if account is None or account.get("status") == "needs_reauth":
        _hold(interaction, message)
        return "held"
    if not _claim(interaction, message):
        return "skipped"  # another worker is sending it right now
    adapter = adapter_for(account)
    try:
        result = adapter.send(build_outbound(adapter, account, interaction, message))
    except ProviderError as error:
        outcome = _failed_attempt(interaction, message, account, error, attempt, enqueue_delivery)
        shared_metrics.increment("sends", account["provider"], "message", SEND_OUTCOMES[outcome], error.code)
        return outcome
    _mark_sent(interaction, message, account, result.provider_message_id)
    shared_metrics.increment("sends", account["provider"], "message", "sent", "")
    return "sent"


def build_outbound(adapter, account, interaction, message):
    out = OutboundMessage(
        to=interaction["contact"].get("phone") or "",
        user_id=interaction["contact"].get("user_id"),
        kind=message["kind"],
        client_ref=message["id"],
        reply_to=message.get("reply_to"),
        window_open=window_is_open(interaction, clock.now()),
    )
    if message["kind"] == "text":
        out.text, out.preview_url = message["text"], message.get("preview_url", False)
    elif message.get("media"):
        out.media = _media(adapter, account, message["media"], message.get("caption"))
    elif message["kind"] == "location":
        out.location = Location(**message["location"])
    elif message["kind"] == "reaction":
        out.reaction = OutboundReaction(message["reaction"]["provider_message_id"], message["reaction"]["emoji"] or None)
    elif message["kind"] == "template":
        out.template = _template(adapter, account, message["template"]["spec"])
    elif message["kind"] == "interactive":
        out.interactive = interactive.to_meta(message["interactive"])
    return out


def template_outbound(adapter, account, to, client_ref, spec):
    """A template (its spec as template_rendering.prepare gives it) to `to`, outside any interaction:
    a campaign's send."""
    template = _template(adapter, account, spec)
    return OutboundMessage(to=to, kind="template", client_ref=client_ref, window_open=False, template=template)


def _upload(adapter, account, file_id, mime_type, filename):
    data, _ = media_store.get(file_id)
    return adapter.upload_media(data, mime_type, filename)


def _media(adapter, account, media, caption):
    """Uploaded and sent by media id where the provider allows it (links trip Meta's download limits)."""
    if "media_upload" in capabilities(account):
        media_id = _upload(adapter, account, media["file_id"], media["mime_type"], media.get("filename"))
        return OutboundMedia(media_id=media_id, mime_type=media["mime_type"], filename=media.get("filename"), caption=caption)
    return OutboundMedia(
        link=public_link(media["file_id"]), mime_type=media["mime_type"], filename=media.get("filename"), caption=caption
    )


def _template(adapter, account, spec):
    header = None
    if spec.get("header"):
        h = spec["header"]
        media_id, link = None, h.get("link")
        if h.get("file_id"):
            _, grid_out = media_store.get(h["file_id"])
            if "media_upload" in capabilities(account):
                media_id, link = _upload(adapter, account, h["file_id"], media_store.mime_type(grid_out), grid_out.filename), None
            else:
                link = public_link(h["file_id"])
        header = TemplateHeader(type=h["type"], text=h.get("text"), media_id=media_id, link=link, filename=h.get("filename"))
    buttons = [TemplateButton(**b) for b in spec.get("buttons", []) if b["sub_type"] == "url" or b.get("payload")]
    return TemplateSpec(
        name=spec["name"],
        language=spec["language"],
        header=header,
        body_params=spec.get("body_params", []),
        buttons=buttons,
    )


def claim_is_fresh(message, now=None):
    """Whether a worker claimed the message less than CLAIM_SECONDS ago (it may be sending it now)."""
    claimed = message.get("sending_at")
    return claimed is not None and clock.aware(claimed) > (now or clock.now()) - timedelta(seconds=CLAIM_SECONDS)


def _claim(interaction, message):
    """Claim the queued message for this worker unless a live claim holds it; True when claimed."""
    now = clock.now()
    fresh = {"$gt": now - timedelta(seconds=CLAIM_SECONDS)}
    key = {"interaction_id": interaction["_id"], "id": message["id"]}
    return message_store.update(key, {"sending_at": now}, {"status": "queued", "sending_at": {"$not": fresh}}) is not None


def _set_message(interaction, message, changes, event_payload=None):
    key = {"interaction_id": interaction["_id"], "id": message["id"]}
    if event_payload is None:  # only a change with an event takes a sequence number: clients wait for every number
        return message_store.update(key, changes)
    doc, bumped = message_store.update_and_bump(key, changes)
    if doc is not None:
        live.publish(bumped, "message_status", {"message_id": message["id"], **event_payload})
    return doc


def _mark_sent(interaction, message, account, provider_message_id):
    now = clock.now()
    _set_message(
        interaction,
        message,
        {
            "provider_message_id": provider_message_id,
            "status": "sent",
            "status_rank": STATUS_RANK["sent"],
            "status_times.sent": now,
            "retry": None,
            "sending_at": None,
        },
        {"provider_message_id": provider_message_id, "status": "sent", "error": None},
    )
    statuses.flush_pending(account["_id"], provider_message_id)


def _failed_attempt(interaction, message, account, error, attempt, enqueue_delivery):
    raw = error.to_dict()
    provider_failures.record(
        raw, stage="send", interaction_id=interaction["_id"], message_id=message["id"], account_id=account["_id"], attempt=attempt
    )
    rule = provider_failures.table_rule(raw)
    if (rule.retry == provider_errors.REAUTH) if rule else error.category == "auth":
        get_db().accounts.update_one({"_id": account["_id"]}, {"$set": {"status": "needs_reauth", "auth_error": error.to_dict()}})
        config_cache.changed()
        live.emit_admins("account_needs_reauth", {"account_id": str(account["_id"]), "name": account["name"]})
        _hold(interaction, message)
        return "held"
    if (rule.retryable if rule else error.retryable) and attempt < MAX_ATTEMPTS:
        delay = backoff(attempt, max(error.retry_after or 0, rule.wait if rule else 0))
        shown = provider_failures.public(raw, retrying=True, next_in=delay)
        retry = {"attempt": attempt, "next_in": round(delay, 1), "error": shown}
        _set_message(interaction, message, {"retry": retry, "sending_at": None}, {"status": "queued", "retry": retry})
        enqueue_delivery(interaction["_id"], message["id"], attempt + 1, delay)
        return "retrying"
    return give_up(interaction, message, provider_failures.public(raw))


def give_up(interaction, message, shown):
    """Mark the message failed with `shown` (an error as agents see it: `user_message` is the sentence)."""
    _set_message(
        interaction,
        message,
        {"status": "failed", "status_rank": FAILED_RANK, "error": shown, "retry": None, "sending_at": None},
        {"status": "failed", "error": shown},
    )
    last_failure.mark(interaction["_id"], message["id"], shown)
    return "failed"


def _hold(interaction, message):
    _set_message(interaction, message, {"held": True, "sending_at": None}, {"status": "queued", "held": True, "error": None})


def release_held(account_id):
    """Send again what was held while the account needed re-authorization. Returns how many."""
    count = 0
    for message in message_store.held(account_id):
        _set_message({"_id": message["interaction_id"]}, message, {"held": False})
        enqueue_delivery(message["interaction_id"], message["id"])
        count += 1
    return count


def send_read_receipt(interaction_id):
    """Blue ticks for the customer's latest message, once per message, where the provider has them."""
    interaction = get_db().interactions.find_one(
        {"_id": as_oid(interaction_id)}, {"account_id": 1, "last_inbound_provider_id": 1}
    )
    provider_id = (interaction or {}).get("last_inbound_provider_id")
    if not provider_id:
        return "nothing_to_read"
    account = accounts.cached_account(interaction["account_id"])
    if account is None or "mark_read" not in capabilities(account):
        return "unsupported"
    claimed = get_db().interactions.update_one(
        {"_id": interaction["_id"], "read_receipt_for": {"$ne": provider_id}}, {"$set": {"read_receipt_for": provider_id}}
    )
    if not claimed.modified_count:
        return "already_sent"
    try:
        adapter_for(account).mark_read(provider_id)
    except ProviderError:
        get_db().interactions.update_one({"_id": interaction["_id"]}, {"$unset": {"read_receipt_for": ""}})
        raise
    return "sent"


def read_receipts_when(account, moment):
    """Whether the account sends read receipts at `moment` ("view" or "reply")."""
    setting = ((account or {}).get("settings") or {}).get("read_receipts", "on_view")
    return setting == f"on_{moment}"
