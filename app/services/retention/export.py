"""One person's data as a ZIP (a GDPR access request): `data.json` with their contacts, every
interaction with its messages and notes, their opt-outs from marketing, and the attachments under
`attachments/<interaction>/`."""

import io
import json
import zipfile

from app.db import get_db
from app.services import clock
from app.services.attachments import media_store
from app.services.conversations import message_store
from app.services.errors import NotFound
from app.services.reading.transcript_zip import INTERNAL_FIELDS, attachment_name
from app.services.retention import subject
from app.services.serialize import plain


def build(contact_id):
    """(file name, ZIP bytes) of the person of contact `contact_id`; NotFound when there is none."""
    person = subject.find(contact_id)
    files, interactions = {}, []
    for interaction in person.interactions:
        messages = []
        for doc in message_store.all_of(interaction["_id"]):
            message = {**message_store.public(doc), "position": doc["position"]}
            path = _attachment(interaction["_id"], message, files)
            if path:
                message["media"] = {**message["media"], "path": path}
            messages.append(message)
        kept = {k: v for k, v in interaction.items() if k not in INTERNAL_FIELDS}
        interactions.append({**kept, "messages": messages})
    record = {
        "exported_at": clock.now(),
        "contacts": person.contacts,
        "numbers": sorted(person.numbers),
        "whatsapp_user_ids": sorted(person.user_ids),
        "interactions": interactions,
        "opt_outs": list(get_db().opt_outs.find({"_id": {"$in": sorted(person.numbers)}})),
        "attachments": [{"path": path, "size": len(data)} for path, data in files.values()],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(plain(record), ensure_ascii=False, indent=2))
        for path, data in files.values():  # stored as they are: images, audio and video are compressed already
            archive.writestr(path, data, compress_type=zipfile.ZIP_STORED)
    return f"contact-{contact_id}.zip", buffer.getvalue()


def _attachment(interaction_id, message, files):
    """The path in the ZIP of the message's stored attachment (added to `files`), or None."""
    file_id = (message.get("media") or {}).get("file_id")
    if not file_id:
        return None
    if file_id not in files:
        try:
            data, _ = media_store.get(file_id)
        except NotFound:
            return None
        path = attachment_name(message["position"], message["media"]).replace("attachments/", f"attachments/{interaction_id}/", 1)
        files[file_id] = (path, data)
    return files[file_id][0]
