"""An interaction's session as a ZIP: transcript.html (opens offline and looks like the
conversation), transcript.json, and the attachments when the account setting and role allow.

Admins always get attachments; agents only when the account's settings.zip_attachments is on
(the default for new accounts). Media not yet downloaded, or missing, is listed as not included.
"""

import io
import json
import re
import zipfile
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.db import get_db
from app.services import clock
from app.services.access.access_rules import load_visible
from app.services.attachments import media_store
from app.services.conversations import message_store
from app.services.errors import NotFound
from app.services.reading.interaction_list import aware, iso, status_label, when
from app.services.reading.interaction_queries import visible_message
from app.services.serialize import plain

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True, default_for_string=True))
_env.filters.update(when=when, iso=iso)
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def attachments_allowed(actor, account):
    if actor["role"] == "admin":
        return True
    return bool(((account or {}).get("settings") or {}).get("zip_attachments", True))


def attachment_name(position, media):
    """Where a message's attachment goes in an export: attachments/<position>-<its file name>."""
    name = SAFE_NAME.sub("_", media.get("filename") or "")[-80:].strip("._")
    extension = "." + media["mime_type"].split("/")[-1].split(";")[0] if media.get("mime_type") and not name else ""
    return f"attachments/{position:04d}-{name or 'file'}{extension}"


def _collect(messages, with_attachments):
    """{file_id: (path in the ZIP, bytes)} for the messages' stored media."""
    files = {}
    if not with_attachments:
        return files
    for message in messages:
        media = message.get("media") or {}
        if not media.get("file_id") or media["file_id"] in files:
            continue
        try:
            data, _ = media_store.get(media["file_id"])
        except NotFound:
            continue
        files[media["file_id"]] = (attachment_name(message["position"], media), data)
    return files


# The interaction's bookkeeping, never exported.
INTERNAL_FIELDS = ("search_terms", "search_terms_count", "rejected_by", "status_label")


def build(actor, interaction_id):
    """(file name, ZIP bytes) for the interaction; NotFound/Forbidden as the engine decides."""
    doc = load_visible(actor, interaction_id, {"search_terms": 0})
    account = get_db().accounts.find_one({"_id": doc["account_id"]}, {"settings": 1})
    with_attachments = attachments_allowed(actor, account)
    messages = [
        dict(visible_message(message_store.public(m), actor), position=m["position"], at=aware(m.get("at")))
        for m in message_store.all_of(doc["_id"])
        if not m.get("hidden")
    ]
    files = _collect(messages, with_attachments)
    for key in ("created_at", "closed_at", "reopened_at", "accepted_at"):
        doc[key] = aware(doc.get(key))
    doc["status_label"] = status_label(doc)
    html = _env.get_template("transcript/transcript.html").render(
        interaction=doc,
        messages=messages,
        with_attachments=with_attachments,
        for_admin=actor["role"] == "admin",  # what the customer edited away or deleted, kept for the record
        media_href=lambda media: files.get(media.get("file_id"), (None,))[0],
        exported_at=clock.now(),
    )
    record = {
        "interaction": plain({k: v for k, v in doc.items() if k not in INTERNAL_FIELDS}),
        "messages": plain(messages),
        "attachments": [{"file_id": fid, "path": path, "size": len(data)} for fid, (path, data) in files.items()],
        "attachments_included": with_attachments,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("transcript.html", html)
        archive.writestr("transcript.json", json.dumps(record, ensure_ascii=False, indent=2))
        for path, data in files.values():
            archive.writestr(path, data)
    phone = SAFE_NAME.sub("", (doc.get("contact") or {}).get("phone") or "contact")
    return f"interaction-{phone}-{doc['_id']}.zip", buffer.getvalue()
