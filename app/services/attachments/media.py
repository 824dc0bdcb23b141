"""Customers' attachments: downloaded from the provider by a job, stored in GridFS, never silently lost.

The webhook only records where the file is (``media.state: "pending"``) and enqueues
``jobs.FETCH_MEDIA`` (app/jobs.py); a file that came inside the webhook (the sandbox's ``data:``
URLs) goes to GridFS at once instead (``store_inline``), so no message document holds its bytes.
The job downloads through the account's adapter (Meta: media
id → short-lived URL → bytes, both with the bearer token; Twilio: basic auth; sandbox: data:
URL), sniffs the real type from the bytes and stores the file with its sha256. A failed download
leaves ``state: "failed"`` with the reason for agents to see, is retried with exponential backoff
up to ``MAX_ATTEMPTS`` times, and can be retried by hand at any time (``retry``).
"""

import logging
import random

import gridfs
from bson import ObjectId

from app import jobs
from app.db import get_db
from app.providers import ProviderError
from app.providers.events import MediaRef
from app.providers.media_limits import AttachmentRejected, inbound_type, normalize_mime, sanitize_filename
from app.services import clock
from app.services.access.access_rules import as_oid, load_visible
from app.services.attachments import media_store
from app.services.channel import accounts, provider_failures
from app.services.channel.provider_access import adapter_for
from app.services.conversations import live, message_store
from app.services.errors import Conflict, NotFound
from app.services.serialize import plain

log = logging.getLogger(__name__)

GRIDFS_COLLECTION = "media"  # where media_store.put writes
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 30.0
MAX_INBOUND_BYTES = 100 * 1024 * 1024
#: Failures another attempt cannot fix: nothing to download, broken or oversized data.
FINAL_CODES = frozenset({"no_media", "bad_media", "media_too_large", "empty", "too_large", "content_mismatch"})
#: What the desktop and the API may show of a message's media.
PUBLIC_FIELDS = ("state", "file_id", "mime_type", "size", "sha256", "filename", "voice", "animated", "error", "deleted_reason")


def retry_delay(attempt):
    """Seconds before attempt ``attempt + 1``: 30 s, 60 s, 120 s, … with a little jitter."""
    return RETRY_BASE_SECONDS * 2 ** (attempt - 1) * random.uniform(1.0, 1.2)  # noqa: S311 - jitter


def _load(interaction_id, message_id):
    """The stored message (its document in message_store), or None."""
    return message_store.get(as_oid(interaction_id), message_id)


def fetch_inbound(interaction_id, message_id, attempt=1):
    """Download one message's attachment; returns ready, failed, retrying or skipped."""
    message = _load(interaction_id, message_id)
    if message is None:
        return "skipped"
    media = message.get("media") or {}
    if not media or media.get("state") == "ready":
        return "skipped"
    account = accounts.cached_account(message["account_id"])
    if account is None:
        _mark_failed(message, {"code": "no_account", "reason": "The WhatsApp account no longer exists."}, attempt)
        return "failed"
    try:
        data, mime_type = _download(account, message)
    except ProviderError as error:
        return _download_failed(message, account, error, attempt)
    except Exception:
        _mark_failed(message, {"code": "internal", "reason": "Parley could not process the file."}, attempt)
        raise
    changes, remove = _store(message, account, data, mime_type)
    doc, interaction = message_store.update_and_bump(_key(message), _media_fields(changes), unset=_media_fields(remove))
    if doc is None or interaction is None:  # the message or its interaction went meanwhile (erased, purged): so does the file
        media_store.delete([changes["file_id"]])
        return "gone"
    live.publish(interaction, "media_ready", {"message_id": message["id"], "media": public_media(doc["media"])})
    return "ready"


def _download(account, message):
    """(bytes, type the bytes show) of the message's attachment, through the account's adapter."""
    media = message["media"]
    data, provider_mime = adapter_for(account).download_media(_ref(media))
    _check_size(data)
    return data, _stored_type(message, media, data, provider_mime)


def _inline(media):
    return any((media.get(k) or "").startswith("data:") for k in ("url", "provider_media_id"))


def store_inline(account, interaction_id, message):
    """Move a file that came inside the webhook into GridFS before the message is stored: the
    message keeps a reference (``media.file_id``), never the bytes. A broken file is marked failed."""
    media = message.get("media") or {}
    if not _inline(media):
        return
    kept = _without_bytes(media)
    try:
        data, mime_type = _download(account, message)
    except ProviderError as error:
        sentence = provider_failures.sentence(error.to_dict(), retrying=False, next_in=None, doing="download")
        reason = {"code": error.code, "reason": sentence, "http_status": error.http_status}
        message["media"] = {**kept, "state": "failed", "error": _error_fields(reason, 1, None)}
        return
    changes, _ = _store({**message, "interaction_id": interaction_id}, account, data, mime_type)
    message["media"] = {**kept, **changes}


def _without_bytes(media):
    return {k: v for k, v in media.items() if not (k in ("url", "provider_media_id") and (v or "").startswith("data:"))}


def _ref(media):
    return MediaRef(provider_media_id=media.get("provider_media_id"), url=media.get("url"), mime_type=media.get("mime_type"),
                    filename=media.get("filename"), animated=bool(media.get("animated")), voice=bool(media.get("voice")))


def _check_size(data):
    if not data:
        raise ProviderError("empty", "Empty file", "The provider sent an empty file.", category="media")
    if len(data) > MAX_INBOUND_BYTES:
        raise ProviderError("too_large", "Attachment too large", "The file is larger than 100 MB.", category="media")


def _stored_type(message, media, data, provider_mime):
    """The type the bytes show; a file that is not what its message says is refused for good."""
    declared = normalize_mime(provider_mime) or normalize_mime(media.get("mime_type"))
    try:
        return inbound_type(data, message.get("kind"), declared)
    except AttachmentRejected as exc:
        raise ProviderError("content_mismatch", "Content does not match the message kind", exc.reason, category="media") from None


def _store(message, account, data, mime_type):
    """Put the bytes into GridFS: (media fields to set, media fields to remove)."""
    media = message["media"]
    filename = sanitize_filename(media.get("filename"), mime_type)
    stored = media_store.put(data, filename, mime_type, account_id=str(account["_id"]),
                             interaction_id=str(message["interaction_id"]), message_id=message["id"], direction="in")
    changes = {"file_id": stored["file_id"], "size": stored["size"], "sha256": stored["sha256"], "mime_type": mime_type,
               "filename": filename, "state": "ready", "stored_at": clock.now()}
    remove = [k for k in ("error",) if k in media]
    remove += [k for k in ("url", "provider_media_id") if (media.get(k) or "").startswith("data:")]
    return changes, remove


def _key(message):
    return {"interaction_id": message["interaction_id"], "id": message["id"]}


def _media_fields(fields):
    if isinstance(fields, dict):
        return {f"media.{k}": v for k, v in fields.items()}
    return [f"media.{k}" for k in fields]


def _download_failed(message, account, error, attempt):
    """Agents read what happened and whether Parley retries; admins get the provider's detail."""
    raw = error.to_dict()
    provider_failures.record(
        raw,
        stage="download",
        interaction_id=message["interaction_id"],
        message_id=message["id"],
        account_id=account["_id"],
        attempt=attempt,
    )
    retry = error.code not in FINAL_CODES and error.category != "invalid_recipient"
    delay = retry_delay(attempt) if retry and attempt < MAX_ATTEMPTS else None
    sentence = provider_failures.sentence(raw, retrying=delay is not None, next_in=delay, doing="download")
    reason = {"code": error.code, "reason": sentence, "http_status": error.http_status}
    return _mark_failed(message, reason, attempt, retry, delay)


def _error_fields(reason, attempt, delay):
    return {**reason, "attempt": attempt, "retrying": delay is not None, "next_in": round(delay) if delay else None,
            "at": clock.now()}


def _mark_failed(message, reason, attempt, retry=False, delay=None):
    retrying = retry and attempt < MAX_ATTEMPTS
    delay = (delay or retry_delay(attempt)) if retrying else None
    error = _error_fields(reason, attempt, delay)
    log.warning("media of message %s: attempt %s failed (%s)", message["id"], attempt, reason.get("code"))
    doc, interaction = message_store.update_and_bump(_key(message), _media_fields({"state": "failed", "error": error}))
    if doc is not None:
        live.publish(interaction, "media_failed", {"message_id": message["id"], "media": public_media(doc["media"])})
    if retrying:
        jobs.enqueue(
            jobs.FETCH_MEDIA, delay=delay, interaction_id=str(message["interaction_id"]), message_id=message["id"],
            attempt=attempt + 1,
        )
        return "retrying"
    return "failed"


def public_media(media):
    return plain({k: media[k] for k in PUBLIC_FIELDS if k in media})


def retry(actor, interaction_id, message_id):
    """Try a failed (or stuck) download again now, at the request of someone who may see it."""
    load_visible(actor, interaction_id, {"_id": 1, "agent_id": 1, "queue_id": 1})
    message = _load(interaction_id, message_id)
    if message is None:
        raise NotFound("No such message in this interaction.")
    if not message.get("media") or message.get("direction") != "in":
        raise NotFound("This message has no attachment to download.")
    if message["media"].get("state") == "ready":
        raise Conflict("The attachment is already here.")
    if message["media"].get("state") == "deleted":
        raise Conflict("The attachment was deleted after the retention period.")
    doc, interaction = message_store.update_and_bump(_key(message), _media_fields({"state": "pending"}))
    shown = public_media(doc["media"])
    live.publish(interaction, "media_pending", {"message_id": message["id"], "media": shown})
    jobs.enqueue(jobs.FETCH_MEDIA, interaction_id=str(message["interaction_id"]), message_id=message["id"], attempt=1)
    return shown


# -- serving stored files ---------------------------------------------------------------------
def stored_file(file_id):
    """The GridFS file (not read yet: it streams), or NotFound."""
    try:
        oid = ObjectId(file_id)
    except Exception:
        raise NotFound("No such file.") from None
    try:
        return gridfs.GridFS(get_db(), collection=GRIDFS_COLLECTION).get(oid)
    except gridfs.errors.NoFile:
        raise NotFound("No such file.") from None


def visible_file(actor, file_id):
    """A file belongs to an interaction (seen by whoever may see it) or, if not, to its uploader and admins."""
    grid_out = stored_file(file_id)
    metadata = grid_out.metadata or {}
    if metadata.get("interaction_id"):
        load_visible(actor, metadata["interaction_id"], {"_id": 1, "agent_id": 1, "queue_id": 1})
    elif metadata.get("purpose") == "template_header":
        pass  # templates and their headers are shown to every agent
    elif actor["role"] != "admin" and metadata.get("uploaded_by") != str(actor["_id"]):
        raise NotFound("No such file.")
    return grid_out
