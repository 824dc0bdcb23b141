"""Records the shape of every query sent to the embedded engine, and checks each against the
declared indexes (app/db.py), so the same queries are index-backed on a real MongoDB server.

A shape is (collection, branches, sort): one branch per `$or` alternative, each a map of field to
`"eq"` (equality: a value, `$eq`, `$in`, `$all`, null) or `"range"` (anything else: `$gt`/`$lt`,
`$ne`, `$exists`, a regex, ...), and the sort as ((field, direction), ...). A branch is served
when ONE declared index (or the implicit `_id` index) both bounds it and gives its sort, as a
server plans it (equality, sort, range):
- bounds: the index's leading key is a field of the branch (equality or range); its first keys
  that are equality fields of the branch form its equality prefix, in any order (a field
  constrained twice, as `{$and: [{f: x}, {f: {$gt: y}}]}`, counts as equality);
- sort: right after that prefix come the sort keys, in order, all in the index's directions or
  all reversed (a sort key the filter fixes by equality may be left out). A sort's `_id`
  tie-breaker needs `_id` in the index: the planner does not infer order from uniqueness, and an
  index without it ends in a blocking in-memory sort;
- the branch's other fields are applied to the documents the index finds (residual predicates),
  as every server does: one index per combination of optional filters is not what a collection
  written on every message can carry.
A partial index serves only a branch that fixes every field of its filter by equality (a server
uses it only when the query implies its filter). Also served: equality on every key of a unique
index (or `_id`), whatever else the filter and sort say (one document at most); an empty filter
without a sort (it asks for everything); with `ordered_scans=True` (the list page, whose filters
combine freely), a branch whose sort an index gives, read in that order until the page is full.
`$in` counts as equality, for the sort too: a server merges the sorted runs of its few values
(SORT_MERGE, up to 200). `$or` branches are checked one by one with the whole sort (a server
merges them in order); the fields outside `$or` join every branch.
"""

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

EQUALITY_OPERATORS = {"$eq", "$in", "$all"}


def _kind(condition):
    """ "eq" when a condition pins the field to values an index looks up as points, else "range"."""
    if not isinstance(condition, dict) or not condition or not all(name.startswith("$") for name in condition):
        return "eq"
    return "eq" if set(condition) <= EQUALITY_OPERATORS else "range"


def _merge(fields, more):
    merged = dict(fields)
    for field, kind in more.items():
        merged[field] = "eq" if "eq" in (kind, merged.get(field)) else kind
    return merged


def branches(filter_):
    """The branches of a filter: one {field: "eq" | "range"} per $or alternative."""
    filter_ = filter_ or {}
    found = [{field: _kind(condition) for field, condition in filter_.items() if not field.startswith("$")}]
    for clause in filter_.get("$and", []):
        found = [_merge(mine, theirs) for mine in found for theirs in branches(clause)]
    if filter_.get("$or"):
        found = [_merge(mine, theirs) for mine in found for clause in filter_["$or"] for theirs in branches(clause)]
    return found


def _sort_spec(sort):
    if not sort:
        return ()
    if isinstance(sort, dict):
        sort = sort.items()
    return tuple((field, direction) for field, direction in sort)


def _indexes(collection, fields):
    """The declared indexes of the collection a branch with `fields` may use, with the implicit `_id`
    index: a partial index only when the branch fixes every field of its filter by equality."""
    usable = [((("_id", 1),), {"unique": True})]
    for spec in INDEXES:
        partial = spec.options.get("partialFilterExpression", {})
        if spec.collection == collection and all(fields.get(name) == "eq" for name in partial):
            usable.append((spec.keys, spec.options))
    return usable


def index_keys(collection):
    """The key patterns of the collection's declared indexes, with the implicit `_id` index."""
    return [(("_id", 1),), *(spec.keys for spec in INDEXES if spec.collection == collection)]


def leading_fields(collection):
    return {keys[0][0] for keys in index_keys(collection)}


def serves(keys, fields, sort, ordered_scans=False):
    """Whether an index with `keys` serves a branch's `fields` ({field: kind}) and `sort` at once."""
    keys = list(keys)
    equality = {field for field, kind in fields.items() if kind == "eq"}
    position = 0
    while position < len(keys) and keys[position][0] in equality:
        position += 1
    wanted = [(field, direction) for field, direction in sort if field not in equality]
    given = keys[position : position + len(wanted)]
    if [field for field, _ in given] != [field for field, _ in wanted]:
        return False
    if len({direction == key_direction for (_, direction), (_, key_direction) in zip(wanted, given, strict=True)}) > 1:
        return False
    return keys[0][0] in fields or bool(ordered_scans and wanted)


def covered(collection, fields, sort, ordered_scans=False):
    if not fields and not sort:
        return True
    equality = {field for field, kind in fields.items() if kind == "eq"}
    usable = _indexes(collection, fields)
    if any(options.get("unique") and {field for field, _ in keys} <= equality for keys, options in usable):
        return True
    return any(serves(keys, fields, sort, ordered_scans) for keys, _ in usable)


def uncovered(shapes, ordered_scans=False):
    """The recorded (collection, branch fields, sort fields) that no single declared index serves."""
    problems = []
    for collection, filter_branches, sort in shapes:
        sort = _sort_spec(sort)
        for fields in filter_branches:
            if not covered(collection, fields, sort, ordered_scans):
                problems.append((collection, tuple(sorted(fields)), tuple(field for field, _ in sort)))
    return list(dict.fromkeys(problems))


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
    """Record (collection, filter branches, sort) for queries on `collections`, the sort given as
    an argument or set on the cursor a find returns."""
    shapes = []

    def wrap(name, original):
        def recorder(self, filter=None, *args, **kwargs):  # noqa: A002 - pymongo's own parameter name
            if self.name not in collections:
                return original(self, filter, *args, **kwargs)
            shape = [self.name, branches(filter), _sort_spec(kwargs.get("sort"))]
            shapes.append(shape)
            result = original(self, filter, *args, **kwargs)
            if isinstance(result, mongomock.collection.Cursor):
                result = _SortRecorder(result, shape)
            return result

        return recorder

    with wrapped_collection_methods(READS, wrap):
        yield shapes


class _SortRecorder:
    """A cursor that also records a `.sort()` called on it into its shape."""

    def __init__(self, cursor, shape):
        self._cursor, self._shape = cursor, shape

    def sort(self, key_or_list, direction=None):
        self._shape[2] = _sort_spec([(key_or_list, direction or 1)] if isinstance(key_or_list, str) else key_or_list)
        self._cursor.sort(key_or_list, direction)
        return self

    def __iter__(self):
        return iter(self._cursor)

    def __next__(self):
        return next(self._cursor)

    def __getattr__(self, name):
        return getattr(self._cursor, name)
