"""Streaming a GridFS file as an HTTP response, safely: the stored (sniffed) type, nosniff, and inline
display only for types a browser shows without running anything (never SVG or HTML)."""

from flask import request, send_file

from app.providers.media_limits import sanitize_filename
from app.services.attachments import media_store

INLINE_PREFIXES = ("audio/", "video/")
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def shows_inline(mime_type):
    return mime_type in INLINE_TYPES or mime_type.startswith(INLINE_PREFIXES)


def stored_type(grid_out):
    return media_store.mime_type(grid_out).lower()


def send_stored(grid_out, inline=None, max_age=3600):
    """``inline`` None: decide by type. The body streams from GridFS in chunks, and byte ranges are
    served (players seek in long audio and video by asking for ranges)."""
    mime_type = stored_type(grid_out)
    if inline is None:
        inline = shows_inline(mime_type)
    sha256 = (grid_out.metadata or {}).get("sha256")
    response = send_file(
        grid_out,
        mimetype=mime_type,
        as_attachment=not inline,
        download_name=sanitize_filename(grid_out.filename, mime_type),
        etag=sha256 or False,
        conditional=False,
        max_age=max_age,
    )
    # GridFS files have no file descriptor, so send_file cannot learn their length: give it here.
    response.content_length = grid_out.length
    response.make_conditional(request.environ, accept_ranges=True, complete_length=grid_out.length)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    return response
