"""The embedded engine: mongomock, made to answer as a MongoDB server does where Parley relies on it
(`server_rules`), with writes serialised as a server makes each one atomic (`writes`), and hash maps
over the declared indexes so that a write or an indexed look-up costs the same however many
documents are stored (`indexed`), and copies of documents made without copy.deepcopy's walk
(`copies`). Only `app.db` opens it; a process on a MongoDB server never
imports it."""

import mongomock
import mongomock.gridfs

from app.embedded_engine import copies, indexed, server_rules, writes


def open_client():
    """A new in-memory client whose collections keep their index maps."""
    mongomock.gridfs.enable_gridfs_integration()
    server_rules.behave_like_a_server(mongomock.collection)
    copies.copy_documents_quickly(mongomock.collection)
    indexed.use_index_maps(mongomock.collection.Collection)
    writes.serialize_writes(mongomock.collection.Collection)
    return mongomock.MongoClient(_store=indexed.IndexedServerStore())
