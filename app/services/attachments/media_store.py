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


def stored_for(interaction_ids):
    """The ids of the files stored for these interactions (uploads, downloads), whether or not a message holds them."""
    found = get_db()["media.files"].find(
        {"metadata.interaction_id": {"$in": [str(i) for i in interaction_ids]}}, {"_id": 1}
    )
    return [str(doc["_id"]) for doc in found]


def template_headers(file_ids):
    """Those of these file ids that are templates' header files."""
    oids = [ObjectId(f) for f in file_ids if ObjectId.is_valid(f)]
    found = get_db()["media.files"].find({"_id": {"$in": oids}, "metadata.purpose": "template_header"}, {"_id": 1})
    return {str(doc["_id"]) for doc in found}
