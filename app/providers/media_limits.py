"""WhatsApp attachment rules as data, the checks Parley runs before sending one, and the voice-note remux.

Limits are Meta's "Supported media types" (the stricter provider rules, Twilio's, are layered
on top): a file is refused here with a reason an agent can read, instead of failing later as
an asynchronous delivery error.
"""

from __future__ import annotations

import io
import mimetypes
import re
import unicodedata
from dataclasses import dataclass

import av
import filetype

KB, MB = 1024, 1024 * 1024


@dataclass(frozen=True)
class MediaRule:
    kind: str
    mime_types: frozenset[str] | None  # None: any type not refused (documents)
    max_bytes: int


WHATSAPP_RULES: dict[str, MediaRule] = {
    "image": MediaRule("image", frozenset({"image/jpeg", "image/png"}), 5 * MB),
    "audio": MediaRule("audio", frozenset({"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}), 16 * MB),
    "voice": MediaRule("voice", frozenset({"audio/ogg"}), 16 * MB),
    "video": MediaRule("video", frozenset({"video/mp4", "video/3gpp"}), 16 * MB),
    "document": MediaRule("document", None, 100 * MB),
    "sticker": MediaRule("sticker", frozenset({"image/webp"}), 100 * KB),
}
ANIMATED_STICKER_MAX_BYTES = 500 * KB
#: Twilio: 16 MB per message, images 5 MB (kind -> bytes; "*" for everything).
PROVIDER_MAX_BYTES: dict[str, dict[str, int]] = {"twilio": {"*": 16 * MB, "image": 5 * MB}}

REFUSED_MIME_TYPES = frozenset(
    {
        "application/x-msdownload",
        "application/x-executable",
        "application/x-dosexec",
        "application/x-msi",
        "application/x-sh",
        "application/java-archive",
        "application/vnd.microsoft.portable-executable",
        "application/x-elf",
    }
)
REFUSED_EXTENSIONS = frozenset(
    {".exe", ".dll", ".com", ".bat", ".cmd", ".scr", ".msi", ".jar", ".js", ".vbs", ".ps1", ".sh", ".apk", ".elf"}
)
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "audio/mp3": "audio/mpeg",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
    "audio/x-aac": "audio/aac",
    "audio/opus": "audio/ogg",
    "video/3gp": "video/3gpp",
    "application/x-zip-compressed": "application/zip",
}
# Containers filetype reports by their outer format: Office/ODF/EPUB files are ZIPs,
# M4A is MP4, 3GP audio is 3GPP video and an audio-only WebM is still WebM.
_CONTAINER_OF = {
    "application/zip": (
        "application/vnd.openxmlformats-officedocument.",
        "application/vnd.oasis.opendocument.",
        "application/epub",
    ),
    "video/mp4": ("audio/mp4",),
    "video/3gpp": ("audio/3gpp", "audio/amr"),
    "video/webm": ("audio/webm",),
}


class AttachmentRejected(ValueError):
    """An attachment WhatsApp (or the account) would refuse; ``reason`` is fit to show to the agent."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class CheckedAttachment:
    filename: str
    mime_type: str
    size: int
    kind: str


def normalize_mime(mime: str | None) -> str | None:
    if not mime:
        return None
    base = mime.split(";")[0].strip().lower()
    return _ALIASES.get(base, base) or None


#: Types the bytes would show if the file were one: declaring one of these for content that is not is refused.
_RECOGNISABLE = frozenset(normalize_mime(t.mime) for t in filetype.types) | {
    prefix.rstrip(".") for prefixes in _CONTAINER_OF.values() for prefix in prefixes if not prefix.endswith(".")
}


def sniff(data: bytes) -> str | None:
    """The MIME type the bytes themselves show (magic numbers), or None for plain text and unknowns."""
    return normalize_mime(filetype.guess_mime(data[:8192]))


#: Text a browser would run as a page (scripts, links, forms): never sent, stored as such or shown inline.
MARKUP_TYPES = frozenset({"text/html", "image/svg+xml"})
_MARKUP_HINTS = (b"<svg", b"<html", b"<!doctype", b"<script", b"<?xml", b"<body", b"<iframe", b"<head")
_TEXT_CONTROLS = bytes(set(range(32)) - {8, 9, 10, 12, 13, 27})


def content_type(data: bytes) -> str | None:
    """What the bytes are: a sniffed binary type; image/svg+xml or text/html for markup; text/plain
    for other text; None when nothing is recognised. Declared types are never trusted for this."""
    sniffed = sniff(data)
    if sniffed:
        return sniffed
    head = data[:8192]
    if not head or head.translate(None, _TEXT_CONTROLS) != head:
        return None
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<") or any(hint in text[:1024] for hint in _MARKUP_HINTS):
        return "image/svg+xml" if b"<svg" in text else "text/html"
    return "text/plain"


def sanitize_filename(name: str | None, mime_type: str | None = None) -> str:
    """A name safe to store and to show: no path, no control characters, at most 120 characters."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "", name).strip(" .")
    if not name:
        name = "attachment" + (mimetypes.guess_extension(mime_type or "") or "")
    stem, dot, ext = name.rpartition(".")
    if len(name) > 120:
        name = (stem[: 119 - len(ext)] + "." + ext) if dot and len(ext) < 10 else name[:120]
    return name


def infer_kind(mime_type: str | None) -> str:
    """The WhatsApp message kind for an agent's file: anything WhatsApp will not show inline is a document."""
    mime = normalize_mime(mime_type) or ""
    for kind in ("image", "audio", "video"):
        if mime in (WHATSAPP_RULES[kind].mime_types or ()):
            return kind
    return "document"


def _compatible(sniffed: str, declared: str) -> bool:
    if sniffed == declared:
        return True
    return declared.startswith(_CONTAINER_OF.get(sniffed, ()))


def _is_animated_webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP" and b"ANIM" in data[:4096]


def _family_of(sniffed: str, declared: str | None) -> str:
    """The sniffed type, refined by the declared one where the container hides it (a DOCX is a ZIP)."""
    if declared and _compatible(sniffed, declared):
        return declared
    if sniffed == "text/plain" and declared and declared.startswith("text/") and declared not in MARKUP_TYPES:
        return declared  # CSV, vCard…: text the bytes cannot tell apart
    return sniffed


def check_attachment(
    data: bytes,
    declared_mime: str | None,
    filename: str | None,
    kind: str,
    account_limit_bytes: int | None = None,
    provider: str | None = None,
) -> CheckedAttachment:
    """Validate an attachment for ``kind``; returns the safe filename and the type the bytes show.

    Only the content decides: a type the bytes do not confirm is refused, whatever was declared."""
    if kind not in WHATSAPP_RULES:
        raise AttachmentRejected(f"'{kind}' is not an attachment type.")
    rule = WHATSAPP_RULES[kind]
    safe_name = sanitize_filename(filename, declared_mime)
    declared, sniffed = normalize_mime(declared_mime), content_type(data)
    if declared == "application/octet-stream":
        declared = None
    extension = "." + safe_name.rpartition(".")[2].lower() if "." in safe_name else ""
    if {declared, sniffed} & REFUSED_MIME_TYPES or extension in REFUSED_EXTENSIONS:
        raise AttachmentRejected("This type of file (programs and scripts) cannot be sent.")
    if sniffed in MARKUP_TYPES:
        raise AttachmentRejected("The file is a web page or SVG drawing, which cannot be sent: send a PDF or a photo instead.")
    if not data:
        raise AttachmentRejected("The file is empty.")
    if sniffed is None:
        if rule.mime_types is not None or (declared or "") in _RECOGNISABLE:
            raise AttachmentRejected(
                f"Parley does not recognise this file's content as {declared or kind}, so it cannot be sent."
            )
        detected = "application/octet-stream"  # a document nothing here recognises: sent and served as a download
    else:
        # A text document is stored as text whatever it was presented as (Windows presents CSV as Excel).
        text_document = sniffed == "text/plain" and rule.mime_types is None
        if declared and not text_document and not _compatible(sniffed, declared):
            raise AttachmentRejected(f"The file is {sniffed} but was presented as {declared}.")
        detected = _family_of(sniffed, declared)
    if rule.mime_types is not None and detected not in rule.mime_types:
        hint = " Voice notes must be OGG/Opus (remux WebM recordings first)." if detected.endswith("/webm") else ""
        allowed = ", ".join(sorted(rule.mime_types))
        raise AttachmentRejected(f"WhatsApp does not accept {detected} as {kind}; allowed: {allowed}.{hint}")
    if detected == "audio/ogg" and b"OpusHead" not in data[:512]:
        raise AttachmentRejected("WhatsApp accepts OGG audio only with the Opus codec.")
    limit = ANIMATED_STICKER_MAX_BYTES if kind == "sticker" and _is_animated_webp(data) else rule.max_bytes
    provider_limits = PROVIDER_MAX_BYTES.get(provider or "", {})
    limit = min(x for x in (limit, provider_limits.get("*"), provider_limits.get(kind), account_limit_bytes) if x)
    if len(data) > limit:
        raise AttachmentRejected(f"The file is {_human(len(data))}; the limit for {kind} is {_human(limit)}.")
    return CheckedAttachment(safe_name, detected, len(data), kind)


#: Customers' media by message kind: the type families the bytes must show to be kept under that kind.
INBOUND_FAMILIES = {
    "image": ("image/",),
    "sticker": ("image/",),
    "video": ("video/",),
    "audio": ("audio/", "video/"),
    "voice": ("audio/", "video/"),
}


_KIND_NAMES = {"image": "an image", "sticker": "a sticker image", "video": "a video", "audio": "audio", "voice": "a voice note"}


def inbound_type(data: bytes, kind: str, declared_mime: str | None = None) -> str:
    """The type to store a customer's file under, from its bytes; AttachmentRejected when the bytes are
    not what the message kind says (an "image" that is SVG or HTML). A document's markup or unknown
    content is kept as a download (text/plain, application/octet-stream): the customer's file is not lost."""
    sniffed = content_type(data)
    families = INBOUND_FAMILIES.get(kind)
    if families is not None:
        if not sniffed or sniffed in MARKUP_TYPES or not sniffed.startswith(families):
            what = (
                "a web page or SVG drawing"
                if sniffed in MARKUP_TYPES
                else (f"a {sniffed} file" if sniffed else "not recognisable")
            )
            raise AttachmentRejected(f"The file sent as {kind} is {what}, not {_KIND_NAMES[kind]}, so Parley does not show it.")
        return sniffed
    if sniffed in MARKUP_TYPES:
        return "text/plain"
    return _family_of(sniffed, normalize_mime(declared_mime)) if sniffed else "application/octet-stream"


def _human(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB else f"{max(1, round(size / KB))} KB"


def remux_webm_to_ogg_opus(data: bytes) -> bytes:
    """Rewrap a browser recording (Chromium: WebM/Opus) as OGG/Opus, the container WhatsApp plays as a
    voice note. The Opus packets are copied, not re-encoded: no quality loss and little CPU."""
    out = io.BytesIO()
    try:
        with av.open(io.BytesIO(data), mode="r") as src:
            audio = next((s for s in src.streams if s.type == "audio"), None)
            if audio is None or audio.codec_context.name != "opus":
                raise AttachmentRejected("The recording has no Opus audio track.")
            with av.open(out, mode="w", format="ogg") as dst:
                stream = dst.add_stream_from_template(audio)
                for packet in src.demux(audio):
                    if packet.dts is None:  # the demuxer's end-of-stream flush packet
                        continue
                    packet.stream = stream
                    dst.mux(packet)
    except av.FFmpegError as exc:
        raise AttachmentRejected(f"The recording could not be read ({exc.__class__.__name__}).") from exc
    return out.getvalue()
