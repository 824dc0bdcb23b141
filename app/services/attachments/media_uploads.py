"""Agents' attachments, checked before anything is stored: one file, within the account's and
WhatsApp's limits, of a type the bytes confirm, with a safe name.

Browsers record voice notes as WebM/Opus (Chromium) while WhatsApp shows only OGG/Opus as a
voice note, so a WebM voice recording is rewrapped (no re-encoding) before the checks.
"""

from app.db import get_db
from app.providers.media_limits import (
    WHATSAPP_RULES,
    AttachmentRejected,
    check_attachment,
    normalize_mime,
    remux_webm_to_ogg_opus,
    sniff,
)
from app.services.access.access_rules import load_visible
from app.services.attachments import media_store
from app.services.channel.accounts import default_settings
from app.services.errors import NotFound, ValidationFailed

WEBM_TYPES = ("audio/webm", "video/webm")


def _rejected(reason):
    return ValidationFailed(reason, {"file": reason})


def _settings(account):
    return {**default_settings(), **(account.get("settings") or {})}


def _as_voice_note(data, declared_mime, filename):
    """WebM recordings become OGG/Opus; anything else is left for the checks to judge."""
    if normalize_mime(declared_mime) not in WEBM_TYPES and sniff(data) not in WEBM_TYPES:
        return data, declared_mime, filename
    stem = (filename or "voice-note").rsplit(".", 1)[0] or "voice-note"
    return remux_webm_to_ogg_opus(data), "audio/ogg", f"{stem}.ogg"


def store_upload(actor, interaction_id, kind, data, declared_mime, filename):
    """Check and store one file for ``interaction_id``; returns {file_id, mime_type, size, filename}."""
    interaction = load_visible(actor, interaction_id, {"account_id": 1, "agent_id": 1, "queue_id": 1})
    account = get_db().accounts.find_one({"_id": interaction["account_id"]})
    if account is None:
        raise NotFound("The interaction's WhatsApp account no longer exists.")
    if kind not in WHATSAPP_RULES:
        raise _rejected(f"Choose what to send: {', '.join(WHATSAPP_RULES)}.")
    settings = _settings(account)
    family = "audio" if kind == "voice" else kind
    if family not in settings["allowed_attachment_types"]:
        raise _rejected(f"This account does not allow {family} attachments.")
    try:
        if kind == "voice":
            data, declared_mime, filename = _as_voice_note(data, declared_mime, filename)
        checked = check_attachment(data, declared_mime, filename, kind, settings["max_attachment_bytes"], account["provider"])
    except AttachmentRejected as exc:
        raise _rejected(exc.reason) from None
    stored = media_store.put(data, checked.filename, checked.mime_type, account_id=str(account["_id"]),
                             interaction_id=str(interaction["_id"]), uploaded_by=str(actor["_id"]), kind=kind,
                             direction="out")
    return {k: stored[k] for k in ("file_id", "mime_type", "size", "filename")}
