"""Streaming a GridFS file as an HTTP response, safely: the stored (sniffed) type, nosniff, and inline
display only for types a browser shows without running anything (never SVG or HTML)."""

import warnings

from flask import send_file

from app.providers.media_limits import sanitize_filename

INLINE_PREFIXES = ("audio/", "video/")
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def shows_inline(mime_type):
    return mime_type in INLINE_TYPES or mime_type.startswith(INLINE_PREFIXES)


def stored_type(grid_out):
    """The type kept in the file's metadata (GridFS's own contentType field is deprecated)."""
    mime_type = (grid_out.metadata or {}).get("content_type")
    if not mime_type:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            mime_type = grid_out.content_type
    return (mime_type or "application/octet-stream").lower()


def send_stored(grid_out, inline=None, max_age=3600):
    """``inline`` None: decide by type. The body streams from GridFS in chunks."""
    mime_type = stored_type(grid_out)
    if inline is None:
        inline = shows_inline(mime_type)
    sha256 = (grid_out.metadata or {}).get("sha256")
    response = send_file(grid_out, mimetype=mime_type, as_attachment=not inline,
                         download_name=sanitize_filename(grid_out.filename, mime_type), etag=sha256 or False,
                         conditional=True, max_age=max_age)
    response.content_length = grid_out.length
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    return response
