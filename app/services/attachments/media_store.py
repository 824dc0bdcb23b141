"""Attachments in GridFS: customers' media after download, agents' uploads before sending."""

import hashlib

import gridfs
from bson import ObjectId
from bson.errors import InvalidId

from app.db import get_db
from app.services.errors import NotFound


def _fs():
    return gridfs.GridFS(get_db(), collection="media")


def put(data, filename, mime_type, **metadata):
    """Store bytes; returns the file's description (id, size, sha256, type)."""
    sha256 = hashlib.sha256(data).hexdigest()
    # The type lives in metadata: GridFS's own contentType field is deprecated.
    file_id = _fs().put(data, filename=filename, metadata={"sha256": sha256, "content_type": mime_type, **metadata})
    return {"file_id": str(file_id), "size": len(data), "sha256": sha256, "mime_type": mime_type, "filename": filename}


def get(file_id):
    """(bytes, gridfs file) for `file_id`, or NotFound."""
    try:
        grid_out = _fs().get(ObjectId(file_id))
    except (InvalidId, TypeError, gridfs.errors.NoFile):
        raise NotFound("No such file.") from None
    return grid_out.read(), grid_out


def mime_type(grid_out):
    """The stored file's type."""
    return (grid_out.metadata or {}).get("content_type") or "application/octet-stream"


def delete(file_ids):
    """Delete these files (chunks included); an id already gone is skipped. Returns how many went."""
    fs, deleted = _fs(), 0
    for file_id in file_ids:
        try:
            oid = ObjectId(file_id)
        except (InvalidId, TypeError):
            continue
        if fs.exists(oid):
            fs.delete(oid)
            deleted += 1
    return deleted
