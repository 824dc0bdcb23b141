"""Hash maps over a collection's indexes, so that the embedded engine's cost per write and per indexed
look-up stays flat as a collection grows.

mongomock checks every unique index by scanning the whole collection on each insert and update,
scans every TTL-indexed collection on each access to expire documents, and answers every query by a
full scan. Here each collection store keeps, for every prefix of its indexes' keys, a map from the
key of a document's values to the ids holding it:
- a unique index is checked by one look-up in its map (partial and sparse indexes map only the
  documents they index, as a server's do);
- a query with equality (or `$in`) on all the fields of an index prefix, or on `_id`, is answered
  (as is an aggregation opening with such a `$match`) from the ids in the map (look-up maps hold
  every document, even for a partial or sparse index), in natural order, mongomock's matcher then
  applying the whole filter to those documents only; any other query is a full scan, as before;
- a count by string or ObjectId equality on exactly an index prefix's fields is the size of the
  map's entry, as a server counts from the index alone;
- a TTL index keeps its documents in a heap by expiry time, looked at most once a second of the
  engine's clock (a server's TTL monitor runs once a minute): expiring costs what expires.

Keys are coarse on purpose: values a map cannot key exactly (a Decimal128, a nested array, NaN, an
empty array) put their document in the map's `overflow`, a candidate of every look-up; numbers and
booleans share one key space. A look-up thus returns a superset of the matches, never fewer.
The maps change with the store: `__setitem__` / `__delitem__` (inserts, rollbacks, deletes, TTL
expiry), `_ensure_uniques` (after every in-place update), and index creation, deletion and drop.

Re-indexing after an update costs what changed: the store keeps, per document and indexed field
(or field a partial filter reads), a copy of the value it last indexed (and an array's keys), and
a map none of whose fields changed keeps its keys unseen. The copy has to be one: the engine updates
documents in place, `$push` appends to the stored list itself.
"""

import heapq
import itertools
import math
from datetime import datetime, timedelta

import mongomock
from bson import ObjectId
from mongomock import aggregate as pipelines
from mongomock import filtering, helpers, store
from pymongo.errors import DuplicateKeyError

from app.embedded_engine.writes import WRITE_LOCK

TTL_PERIOD = timedelta(seconds=1)
_MISSING = object()
_NULL = ("null",)
_MAX_LOOKUPS = 64  # `$in` combinations of one look-up before a full scan is cheaper to reason about
# Values whose equality, type for type, means equal keys and equal answers of a partial filter;
# only numbers of different types are equal, so a copy of a number keeps its type.
_SCALARS = frozenset({str, int, float, bool, type(None), ObjectId, datetime})
_NUMBERS = frozenset({int, float, bool})
_COMBINATORS = ("$and", "$or", "$nor")


def _key(value):
    """`value`'s key in a map, None when no map can key it exactly."""
    if isinstance(value, bool):
        return ("n", int(value))
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else ("n", value)
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, ObjectId):
        return ("o", value)
    if isinstance(value, datetime):
        return ("d", value)
    return None


def _values_at(doc, parts):
    """The values a dotted path reaches, through arrays of subdocuments as a server's index does;
    None when a path runs through a nested array or an array position."""
    values = [doc]
    for part in parts:
        reached = []
        for value in values:
            if isinstance(value, dict):
                reached.append(value.get(part, _MISSING))
            elif isinstance(value, list):
                if part.isdigit():
                    return None
                for element in value:
                    if isinstance(element, list):
                        return None
                    if isinstance(element, dict):
                        reached.append(element.get(part, _MISSING))
            else:
                reached.append(_MISSING)
        values = reached
    return values


def _field_keys(doc, parts):
    """The keys of one indexed field of `doc` (one per array element), or None."""
    values = _values_at(doc, parts)
    if values is None:
        return None
    keys = set()
    for value in values:
        if value is _MISSING or value is None:
            keys.add(_NULL)
        elif isinstance(value, list):
            elements = _element_keys(value) if value else None
            if elements is None:
                return None
            keys |= elements
        else:
            key = _key(value)
            if key is None:
                return None
            keys.add(key)
    return frozenset(keys) if keys else frozenset([_NULL])


def _element_keys(elements):
    keys = set()
    for element in elements:
        key = _NULL if element is None else _key(element)
        if key is None:
            return None
        keys.add(key)
    return keys


def _keys_after(doc, parts, snapshot, before, keys_before):
    """(keys, gained) of one indexed field of `doc` whose `snapshot` differs from the one `before`
    (whose keys were `keys_before`, when kept): when an array only gained elements at its end (a
    `$push`, an `$addToSet`), the keys it had and those of its new elements, `gained`; otherwise all
    its keys computed again, and None."""
    if keys_before is not None and _is_array(snapshot) and _is_array(before):
        old, new = before[-1], snapshot[-1]
        if len(new) > len(old) and new[: len(old)] == old:
            gained = _element_keys(new[len(old) :])
            if gained is not None:
                return keys_before | gained, frozenset(gained)
    return _field_keys(doc, parts), None


def _is_array(snapshot):
    return type(snapshot) is tuple and snapshot[0] is list


def _snapshot(doc, parts):
    """A copy of what `doc` holds at `parts`, equal to a later one only if the field's keys and any
    filter on it answer the same; None when no cheap copy tells (a subdocument, a path through an
    array, a value of another type), and the field is then taken as changed at every update."""
    value = doc
    for part in parts:
        if value is _MISSING:
            return _MISSING
        if not isinstance(value, dict):
            return None
        value = value.get(part, _MISSING)
    if value is _MISSING:
        return _MISSING
    if type(value) in _NUMBERS:
        return (type(value), value)
    if type(value) in _SCALARS:
        return value
    if type(value) is list:
        values = tuple(value)
        types = set(map(type, values))
        if not types <= _SCALARS:
            return None
        # one type for all, or each element's: [1, 2.0] and [1.0, 2] are equal, their types are not
        return (list, types.pop() if len(types) == 1 else tuple(map(type, values)), values)
    return None


def _fields_read(expression):
    """The fields a partial filter reads, or None when it cannot tell."""
    fields = set()
    for name, condition in expression.items():
        if name in _COMBINATORS and isinstance(condition, list) and all(isinstance(c, dict) for c in condition):
            for branch in condition:
                inner = _fields_read(branch)
                if inner is None:
                    return None
                fields |= inner
        elif name.startswith("$"):
            return None
        else:
            fields.add(name)
    return fields


def _present(doc, parts):
    values = _values_at(doc, parts)
    return values is None or any(value is not _MISSING for value in values)


class KeyMap:
    """Documents by the key of their values at `fields`; a unique index's map knows its partial
    filter and sparseness, and leaves out the documents the index leaves out."""

    def __init__(self, fields, index=None):
        self.fields = tuple(fields)
        self.parts = [field.split(".") for field in self.fields]
        self.index = index  # the unique index this map checks, or None for a look-up map
        self.ids = {}  # key tuple -> ids holding it
        self.overflow = set()  # ids whose values no key says exactly: candidates of every look-up
        self.held = {}  # id -> the key tuples it holds, or None when in overflow
        partial = (index or {}).get("partialFilterExpression")
        read = set(self.fields) if partial is None else _fields_read(partial)
        # the fields whose change can change this map's keys, None when unknown (then always re-keyed)
        self.reads = None if read is None else frozenset(read | set(self.fields))

    def keys_of(self, doc, field_keys):
        """The key tuples of `doc`, none when the index leaves it out, None when it overflows;
        `field_keys` gives each field's keys (`_field_keys`)."""
        index = self.index or {}
        if index.get("sparse") and not any(_present(doc, parts) for parts in self.parts):
            return frozenset()
        partial = index.get("partialFilterExpression")
        if partial is not None and not filtering.filter_applies(partial, doc):
            return frozenset()
        per_field = []
        for field in self.fields:
            keys = field_keys[field]
            if keys is None:
                return None
            per_field.append(keys)
        return frozenset(itertools.product(*per_field))

    def put(self, doc_id, keys):
        """Move `doc_id` to `keys` (as `keys_of` gives them), touching only the keys that change."""
        old = self.held.get(doc_id, _MISSING)
        if old == keys:
            return
        if old is not _MISSING and old is not None and keys is not None:
            self._drop(doc_id, old - keys)
            self._add(doc_id, keys - old)
            self.held[doc_id] = keys
            return
        self.remove(doc_id)
        self.held[doc_id] = keys
        if keys is None:
            self.overflow.add(doc_id)
        else:
            self._add(doc_id, keys)

    def extend(self, doc_id, keys):
        """Add `keys` to those `doc_id` holds (it holds some: it is not in overflow)."""
        self.held[doc_id] = self.held[doc_id] | keys
        self._add(doc_id, keys)

    def remove(self, doc_id):
        if doc_id not in self.held:
            return
        keys = self.held.pop(doc_id)
        if keys is None:
            self.overflow.discard(doc_id)
        else:
            self._drop(doc_id, keys)

    def _add(self, doc_id, keys):
        for key in keys:
            self.ids.setdefault(key, set()).add(doc_id)

    def _drop(self, doc_id, keys):
        for key in keys:
            holders = self.ids[key]
            holders.discard(doc_id)
            if not holders:
                del self.ids[key]

    def lookup(self, keys):
        found = set(self.overflow)
        for key in keys:
            found |= self.ids.get(key, set())
        return found

    def count(self, keys):
        """How many ids `lookup(keys)` returns at most, without gathering them."""
        return len(self.overflow) + sum(len(self.ids.get(key, ())) for key in keys)

    def collides(self, doc_id):
        """Whether another document holds one of `doc_id`'s keys; None when overflow keeps the map
        from telling (the caller then scans)."""
        keys = self.held.get(doc_id, ())
        if keys is None or self.overflow - {doc_id}:
            return None
        return any(self.ids[key] - {doc_id} for key in keys)


class _FieldKeys(dict):
    """Each field's keys, computed when first asked for."""

    def __init__(self, doc, paths):
        super().__init__()
        self.doc, self.paths = doc, paths

    def __missing__(self, field):
        keys = self[field] = _field_keys(self.doc, self.paths[field])
        return keys


def _store_id(doc_id):
    return helpers.hashdict(doc_id) if isinstance(doc_id, dict) else doc_id


def _equality_values(condition):
    """The values a field's condition requires it to equal one of, or None when it does not."""
    if isinstance(condition, dict):
        if not condition or not all(name.startswith("$") for name in condition):
            return None
        if "$eq" in condition:
            values = [condition["$eq"]]
        elif isinstance(condition.get("$in"), (list, tuple)):
            values = list(condition["$in"])
        else:
            return None
    else:
        values = [condition]
    # Dates (tz-aware against stored naive ones), null, patterns and subdocuments match by rules
    # a key does not carry: those conditions are answered by a full scan.
    if all(_key(value) is not None and not isinstance(value, datetime) for value in values):
        return values
    return None


class IndexedCollectionStore(store.CollectionStore):
    """A collection's documents with the maps of its indexes."""

    def __init__(self, name):
        self._maps = {}
        self._maps_for = {}
        self._unique = {}
        self._paths = {}  # every field a map keys or a partial filter reads -> its parts
        self._indexed = {}  # id -> (each field's snapshot as last indexed, in `_paths` order; {array field: its keys})
        self._order = {}
        self._counter = itertools.count()
        self._last_expiry = None
        self._expiry = {}  # TTL index name -> heap of (expires at, tie-breaker, id)
        self._expires_at = {}  # (TTL index name, id) -> when the heap says it expires
        super().__init__(name)

    # `Collection.drop_indexes` assigns `indexes`; every change of the indexes rebuilds the maps.
    @property
    def indexes(self):
        return self._indexes

    @indexes.setter
    def indexes(self, value):
        self._indexes = value
        self._rebuild()

    def create_index(self, index_name, index_dict):
        super().create_index(index_name, index_dict)
        self._rebuild()

    def drop_index(self, index_name):
        super().drop_index(index_name)
        self._rebuild()

    def drop(self):
        with WRITE_LOCK:
            super().drop()
            self._order.clear()
            self._rebuild()

    def _rebuild(self):
        with WRITE_LOCK:
            lookups, unique = {}, {}
            for name, index in self._indexes.items():
                fields = [field for field, direction in index["key"]]
                if not all(direction in (1, -1) for _, direction in index["key"]):
                    continue
                if index.get("unique"):
                    unique[name] = KeyMap(fields, index)
                # Look-up maps hold every document, partial or sparse index or not: they only narrow a scan.
                for length in range(1, len(fields) + 1):
                    lookups.setdefault(tuple(fields[:length]), KeyMap(fields[:length]))
            self._maps, self._unique = lookups, unique
            self._maps_for = {}  # the equality fields of a filter -> the look-up maps they fill
            fields = set()
            for key_map in self._all_maps():
                fields |= key_map.reads or set(key_map.fields)
            self._paths = {field: field.split(".") for field in sorted(fields)}
            self._indexed = {}
            self._expiry = {name: [] for name, index in self._indexes.items() if _ttl_of(index)}
            self._expires_at = {}
            for doc_id, doc in self._documents.items():
                self._index(doc_id, doc)

    def _all_maps(self):
        return itertools.chain(self._maps.values(), self._unique.values())

    def _index(self, doc_id, doc):
        before, array_keys = self._indexed.get(doc_id, ((None,) * len(self._paths), {}))
        snapshots, kept, changed = [], {}, {}  # changed: field -> the keys it only gained, or None
        field_keys = _FieldKeys(doc, self._paths)
        for (field, parts), old in zip(self._paths.items(), before, strict=True):
            snapshot = _snapshot(doc, parts)
            snapshots.append(snapshot)
            if snapshot is None or old is None or old != snapshot:
                field_keys[field], changed[field] = _keys_after(doc, parts, snapshot, old, array_keys.get(field))
            elif field in array_keys:
                field_keys[field] = array_keys[field]
            if _is_array(snapshot):
                kept[field] = field_keys[field]  # an array's keys cost its length: kept, not computed again
        self._indexed[doc_id] = (tuple(snapshots), kept)
        for key_map in self._all_maps():
            if doc_id in key_map.held and key_map.reads is not None:
                touched = key_map.reads.intersection(changed)
                if not touched:
                    continue  # nothing it keys or filters on changed: its keys are the ones it holds
                (field, *others) = touched
                if not others and changed[field] is not None and key_map.index is None and key_map.held[doc_id] is not None:
                    # one field, which only gained keys: the map gains their combinations with the others'
                    gained = (changed[f] if f == field else field_keys[f] for f in key_map.fields)
                    key_map.extend(doc_id, frozenset(itertools.product(*gained)))
                    continue
            key_map.put(doc_id, key_map.keys_of(doc, field_keys))
        for name, heap in self._expiry.items():
            field, seconds = _ttl_of(self._indexes[name])
            expires = _expires(doc.get(field), seconds)
            if expires is None:
                self._expires_at.pop((name, doc_id), None)
            elif self._expires_at.get((name, doc_id)) != expires:
                self._expires_at[name, doc_id] = expires
                heapq.heappush(heap, (expires, next(self._counter), doc_id))

    def __setitem__(self, key, val):
        with WRITE_LOCK:
            if key not in self._documents:
                self._order[key] = next(self._counter)
            super().__setitem__(key, val)
            self._index(key, val)

    def __delitem__(self, key):
        with WRITE_LOCK:
            super().__delitem__(key)
            self._order.pop(key, None)
            for key_map in self._all_maps():
                key_map.remove(key)
            self._indexed.pop(key, None)
            for name in self._expiry:
                self._expires_at.pop((name, key), None)

    def _remove_expired_documents(self):
        """What the TTL heaps say has expired, at most once a second of the engine's clock: a server's
        TTL monitor is not immediate either."""
        if not self._expiry:
            return
        now = mongomock.utcnow()
        if self._last_expiry is not None and timedelta(0) <= now - self._last_expiry < TTL_PERIOD:
            return
        with WRITE_LOCK:
            self._last_expiry = now
            for name, heap in self._expiry.items():
                field, seconds = _ttl_of(self._indexes[name])
                while heap and heap[0][0] <= now:
                    expires, _, doc_id = heapq.heappop(heap)
                    # an entry a later update or a delete made stale is dropped, the live one stays
                    live = self._expires_at.get((name, doc_id)) == expires and doc_id in self._documents
                    if live and self._value_meets_expiry(self._documents[doc_id].get(field), seconds, now):
                        del self[doc_id]

    def reindex_and_check(self, collection, doc):
        """Move `doc` (changed in place, or just stored) to its keys, then raise DuplicateKeyError as
        mongomock does when a unique index already holds one of them."""
        doc_id = _store_id(doc["_id"])
        with WRITE_LOCK:
            self._index(doc_id, doc)
            for name, key_map in self._unique.items():
                collides = key_map.collides(doc_id)
                if collides is None:
                    collides = _scan_collides(collection, self._indexes[name], doc)
                if collides:
                    raise DuplicateKeyError("E11000 Duplicate Key Error", 11000)

    def _usable_maps(self, fields):
        """The look-up maps whose every field is in `fields` (the queries of a collection come in a
        few shapes: worked out once per shape, not for every map at every query)."""
        usable = self._maps_for.get(fields)
        if usable is None:
            usable = self._maps_for[fields] = [
                (keyed, key_map) for keyed, key_map in self._maps.items() if fields.issuperset(keyed)
            ]
        return usable

    def count_by_map(self, filter_):
        """How many documents match `filter_` when it is a string or ObjectId equality on each field
        of a look-up map and nothing else, and no document overflows that map; None otherwise."""
        if not filter_ or not all(type(value) in (str, ObjectId) for value in filter_.values()):
            return None
        with WRITE_LOCK:
            self._remove_expired_documents()
            exact = [key_map for fields, key_map in self._usable_maps(frozenset(filter_)) if len(fields) == len(filter_)]
            if not exact or exact[0].overflow:
                return None
            return len(exact[0].ids.get(tuple(_key(filter_[field]) for field in exact[0].fields), ()))

    def candidates(self, filter_):
        """The documents, in natural order, that can match `filter_` by its equalities on indexed
        fields; None when no index prefix or `_id` narrows it."""
        equalities = {}
        for field, condition in filter_.items():
            if not field.startswith("$"):
                values = _equality_values(condition)
                if values is not None:
                    equalities[field] = values
        if not equalities:
            return None
        with WRITE_LOCK:
            self._remove_expired_documents()
            best = None  # the narrowest: (how many ids at most, how to get them)
            if "_id" in equalities:
                ids = {value for value in equalities["_id"] if value in self._documents}
                best = (len(ids), lambda: ids)
            for fields, key_map in self._usable_maps(frozenset(equalities)):
                combinations = list(itertools.islice(itertools.product(*(equalities[f] for f in fields)), _MAX_LOOKUPS + 1))
                if len(combinations) > _MAX_LOOKUPS:
                    continue
                keys = [tuple(_key(value) for value in values) for values in combinations]
                size = key_map.count(keys)
                if best is None or size < best[0]:
                    best = (size, lambda key_map=key_map, keys=keys: key_map.lookup(keys))
            if best is None:
                return None
            found = best[1]()
            return [self._documents[doc_id] for doc_id in sorted(found, key=self._order.__getitem__)]


def _ttl_of(index):
    """(field, seconds) of a TTL index mongomock expires by: one field, a whole number of seconds."""
    try:
        seconds = int(index["expireAfterSeconds"])
    except (KeyError, TypeError, ValueError):
        return None
    return (index["key"][0][0], seconds) if len(index["key"]) == 1 else None


def _expires(value, seconds):
    """When a document whose TTL field holds `value` expires (the earliest date of an array), or None."""
    dates = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, datetime) and v.tzinfo is None]
    return min(dates) + timedelta(seconds=seconds) if dates else None


def _scan_collides(collection, index, doc):
    """mongomock's own uniqueness check, for the rare document whose values a map cannot key."""
    query = {}
    for field, _ in index["key"]:
        try:
            query[field] = helpers.get_value_by_dot(doc, field)
        except KeyError:
            query[field] = None
    if index.get("partialFilterExpression") is not None:
        query = {"$and": [index["partialFilterExpression"], query]}
    return sum(1 for other in collection._store.documents if filtering.filter_applies(query, other)) > 1


class IndexedDatabaseStore(store.DatabaseStore):
    def __getitem__(self, col_name):
        if col_name not in self._collections:
            self._collections[col_name] = IndexedCollectionStore(col_name)
        return self._collections[col_name]

    def rename(self, name, new_name):
        col = self._collections.pop(name, None) or IndexedCollectionStore(new_name)
        col.name = new_name
        self._collections[new_name] = col


class IndexedServerStore(store.ServerStore):
    def __getitem__(self, db_name):
        if db_name not in self._databases:
            self._databases[db_name] = IndexedDatabaseStore()
        return self._databases[db_name]


def use_index_maps(collection_class):
    """Route the uniqueness check and the document scan of collections kept in an indexed store
    through its maps; collections of a plain mongomock client keep mongomock's own."""
    if getattr(collection_class, "uses_index_maps", False):
        return
    ensure_uniques, iter_documents = collection_class._ensure_uniques, collection_class._iter_documents

    def _ensure_uniques(self, new_data):
        if not isinstance(self._store, IndexedCollectionStore):
            return ensure_uniques(self, new_data)
        return self._store.reindex_and_check(self, new_data)

    def _iter_documents(self, filter):  # noqa: A002 - mongomock's parameter name
        if isinstance(self._store, IndexedCollectionStore) and isinstance(filter, dict):
            documents = self._store.candidates(filter)
            if documents is not None:
                if not documents:
                    filtering.filter_applies(filter, {})  # a malformed filter still raises
                return (doc for doc in documents if filtering.filter_applies(filter, doc))
        return iter_documents(self, filter)

    def aggregate(self, pipeline, session=None, **kwargs):
        """A pipeline that opens with `$match` reads only what the match's index finds, as a
        server's does (mongomock's reads the whole collection, then matches)."""
        first = pipeline[0] if isinstance(pipeline, list) and pipeline else None
        if isinstance(self._store, IndexedCollectionStore) and isinstance(first, dict) and list(first) == ["$match"]:
            return pipelines.process_pipeline(list(self.find(first["$match"])), self.database, pipeline[1:], session)
        return whole_aggregate(self, pipeline, session, **kwargs)

    def count_documents(self, filter, **kwargs):  # noqa: A002 - pymongo's parameter name
        """A count by equality on exactly an index prefix's fields is the size of its map entry (a
        server counts it from the index alone, without reading a document)."""
        if isinstance(self._store, IndexedCollectionStore) and isinstance(filter, dict) and not kwargs:
            counted = self._store.count_by_map(filter)
            if counted is not None:
                return counted
        return whole_count(self, filter, **kwargs)

    whole_count = collection_class.count_documents
    whole_aggregate = collection_class.aggregate
    collection_class._ensure_uniques = _ensure_uniques
    collection_class._iter_documents = _iter_documents
    collection_class.aggregate = aggregate
    collection_class.count_documents = count_documents
    collection_class.uses_index_maps = True
