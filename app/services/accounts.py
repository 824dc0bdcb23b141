"""WhatsApp accounts: creation and look-up by webhook key."""

import secrets
from datetime import datetime, timezone

from app import crypto
from app.db import get_db
from app.services.errors import ValidationFailed
from app.services.phones import to_e164

DEFAULT_MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024


def default_settings():
    return {
        "max_attachment_bytes": DEFAULT_MAX_ATTACHMENT_BYTES,
        "allowed_attachment_types": ["image", "audio", "video", "document", "sticker"],
        "recontact_template_id": None,
        "close_on_quick_reply": False,
        "allow_transfer": True,
        "zip_attachments": True,
        "read_receipts": "on_view",
        "chatbot": {"enabled": False, "endpoint": "", "model": "", "instructions": ""},
    }


def create_account(name, provider, phone, queue_id=None, credentials=None, secret_values=None, api_base=None):
    """Create an account; `secret_values` are encrypted before they are stored."""
    if not (name or "").strip():
        raise ValidationFailed("The account cannot be created.", {"name": "Name is required."})
    now = datetime.now(timezone.utc)
    doc = {
        "name": name.strip(),
        "provider": provider,
        "phone": to_e164(phone),
        "api_base": api_base,
        "credentials": dict(credentials or {}),
        "secrets": {k: crypto.encrypt(v) for k, v in (secret_values or {}).items() if v},
        "webhook_key": secrets.token_urlsafe(24),
        "queue_id": queue_id,
        "contact_list_id": None,
        "settings": default_settings(),
        "status": "active",
        "created_at": now,
        "updated_at": now,
    }
    doc["_id"] = get_db().accounts.insert_one(doc).inserted_id
    return doc


def find_by_webhook_key(key):
    return get_db().accounts.find_one({"webhook_key": key})


def find_by_name(name):
    return get_db().accounts.find_one({"name": name})
