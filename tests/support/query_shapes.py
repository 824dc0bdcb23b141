"""Records the shape of every query sent to the embedded engine, and checks each against the
declared indexes (app/db.py), so the same queries are index-backed on a real MongoDB server."""

import contextlib
import os

import mongomock
import pytest

from app.db import INDEXES

# The recorder and the write lock belong to the embedded engine; against a MongoDB server (MONGO_URI)
# these tests have nothing to observe, and the server's own planner decides index use.
embedded_only = pytest.mark.skipif(
    not os.environ.get("MONGO_URI", "mongomock://").startswith("mongomock://"),
    reason="observes the embedded engine; a MongoDB server plans its own queries",
)

READS = (
    "find",
    "find_one",
    "find_one_and_update",
    "find_one_and_delete",
    "update_one",
    "update_many",
    "delete_one",
    "delete_many",
    "count_documents",
    "replace_one",
)


def branches(filter_):
    """Field-name sets a filter can be answered with: one per $or branch."""
    filter_ = filter_ or {}
    fields = {k for k in filter_ if not k.startswith("$")}
    for clause in filter_.get("$and", []):
        fields |= set().union(*branches(clause))
    ors = filter_.get("$or")
    if not ors:
        return [fields]
    return [fields | branch for clause in ors for branch in branches(clause)]


def leading_fields(collection):
    return {spec.keys[0][0] for spec in INDEXES if spec.collection == collection}


def uncovered(shapes):
    """The recorded shapes no declared index serves."""
    problems = []
    for collection, filter_fields, sort_fields in shapes:
        leading = leading_fields(collection) | {"_id"}
        for fields in filter_fields:
            if not fields & leading and not (not fields and sort_fields and sort_fields[0] in leading):
                problems.append((collection, sorted(fields), sort_fields))
    return list(dict.fromkeys((c, tuple(f), tuple(s)) for c, f, s in problems))


@contextlib.contextmanager
def wrapped_collection_methods(names, wrap):
    """Replace the embedded engine's collection methods `names` by `wrap(name, original)` for a while."""
    originals = {name: getattr(mongomock.collection.Collection, name) for name in names}
    for name, original in originals.items():
        setattr(mongomock.collection.Collection, name, wrap(name, original))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(mongomock.collection.Collection, name, original)


@contextlib.contextmanager
def recording(collections):
    """Record (collection, filter branches, sort fields) for queries on `collections`."""
    shapes = []

    def wrap(name, original):
        def recorder(self, filter=None, *args, **kwargs):  # noqa: A002 - pymongo's own parameter name
            if self.name in collections:
                sort = kwargs.get("sort") or []
                shapes.append((self.name, branches(filter), [field for field, _ in sort]))
            return original(self, filter, *args, **kwargs)

        return recorder

    with wrapped_collection_methods(READS, wrap):
        yield shapes
