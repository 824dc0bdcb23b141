"""Helpers for the desktop browser tests: files to attach, provider requests, timings."""

import base64
import struct
import zlib

from app.db import get_db
from tests.support.engine import stored_messages


def png_bytes(width=8, height=8):
    """A small valid PNG (a green square)."""
    raw = b"".join(b"\x00" + b"\x25\xd3\x66" * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def data_url(data, mime):
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def sent_bodies(fake_provider, phone_number_id):
    """JSON bodies of messages sent to Meta (read receipts left out), in order."""
    requests = fake_provider.requests_to(f"/v23.0/{phone_number_id}/messages", "POST")
    return [r.json for r in requests if r.json and "type" in r.json]


def messages_of(interaction_id):
    return stored_messages(interaction_id)


def interaction_of(phone):
    return get_db().interactions.find_one({"contact.phone": phone, "is_open": True})
