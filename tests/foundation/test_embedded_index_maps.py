"""The embedded engine's index maps (app/embedded_engine/indexed.py) answer as a full scan does: unique
indexes refuse what they refused before, after updates, deletes and rollbacks too; partial and
sparse unique indexes leave out what a server's leave out; TTL indexes still expire; and finds
return the same documents in the same order as plain mongomock on random data and operations."""

import time
from datetime import datetime, timedelta

import mongomock
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymongo.errors import DuplicateKeyError, PyMongoError

from app.embedded_engine import open_client


@pytest.fixture
def db():
    return open_client().maps


def test_a_unique_key_is_free_again_after_the_holder_moves_or_goes(db):
    db.things.create_index([("a", 1), ("b", 1)], unique=True)
    db.things.insert_many([{"_id": 1, "a": 1, "b": "x"}, {"_id": 2, "a": 1, "b": "y"}])
    with pytest.raises(DuplicateKeyError) as refused:
        db.things.insert_one({"a": 1, "b": "x"})
    assert refused.value.code == 11000 and str(refused.value) == "E11000 Duplicate Key Error"
    with pytest.raises(DuplicateKeyError):
        db.things.update_one({"_id": 2}, {"$set": {"b": "x"}})
    assert db.things.find_one({"_id": 2})["b"] == "y"  # refused update rolled back
    assert db.things.find_one({"a": 1, "b": "y"})["_id"] == 2  # and still found by its old key
    db.things.update_one({"_id": 1}, {"$set": {"b": "z"}})
    db.things.insert_one({"_id": 3, "a": 1, "b": "x"})  # "x" was freed by the update
    db.things.delete_one({"_id": 3})
    db.things.replace_one({"_id": 2}, {"a": 1, "b": "x"})  # freed by the delete
    with pytest.raises(DuplicateKeyError):
        db.things.find_one_and_update({"_id": 1}, {"$set": {"b": "x"}})
    assert sorted((d["a"], d["b"]) for d in db.things.find({"a": 1})) == [(1, "x"), (1, "z")]


def test_a_missing_field_is_a_null_key_of_a_unique_index(db):
    db.things.create_index([("a", 1)], unique=True)
    db.things.insert_one({"_id": 1})
    with pytest.raises(DuplicateKeyError):
        db.things.insert_one({"_id": 2, "a": None})


def test_a_partial_unique_index_ignores_documents_outside_its_filter(db):
    db.things.create_index([("contact", 1)], unique=True, partialFilterExpression={"open": True})
    db.things.insert_many([{"_id": i, "contact": "c", "open": False} for i in range(3)])
    db.things.insert_one({"_id": 3, "contact": "c", "open": True})
    with pytest.raises(DuplicateKeyError):
        db.things.update_one({"_id": 0}, {"$set": {"open": True}})
    db.things.update_one({"_id": 3}, {"$set": {"open": False}})
    db.things.update_one({"_id": 0}, {"$set": {"open": True}})
    assert [d["_id"] for d in db.things.find({"contact": "c", "open": True})] == [0]


def test_a_sparse_unique_index_leaves_out_documents_without_its_fields(db):
    db.things.create_index([("email", 1)], unique=True, sparse=True)
    db.things.insert_many([{"_id": 1}, {"_id": 2}, {"_id": 3, "email": "a@x"}])
    with pytest.raises(DuplicateKeyError):
        db.things.insert_one({"email": "a@x"})
    db.things.insert_one({"_id": 4, "email": None})
    with pytest.raises(DuplicateKeyError):  # a server indexes an explicit null in a sparse index
        db.things.insert_one({"email": None})


def test_an_index_created_dropped_or_the_collection_dropped_rebuilds_the_maps(db):
    db.things.insert_many([{"a": 1}, {"a": 1}])
    with pytest.raises(DuplicateKeyError):
        db.things.create_index([("a", 1)], unique=True)
    db.things.delete_one({"a": 1})
    db.things.create_index([("a", 1)], unique=True)
    with pytest.raises(DuplicateKeyError):
        db.things.insert_one({"a": 1})
    db.things.drop_indexes()
    db.things.insert_one({"a": 1})
    db.things.drop()
    db.things.create_index([("a", 1)], unique=True)
    db.things.insert_one({"a": 1})
    assert db.things.count_documents({"a": 1}) == 1


def test_ttl_indexes_still_expire_documents_by_their_current_date(db):
    now, old = datetime.utcnow(), datetime.utcnow() - timedelta(hours=2)
    db.events.create_index([("at", 1)], expireAfterSeconds=3600)
    docs = [{"_id": 1, "at": old}, {"_id": 2, "at": now}, {"_id": 3, "at": [now, old]}, {"_id": 4, "at": old}]
    db.events.insert_many([*docs, {"_id": 5, "at": now}, {"_id": 6, "at": "not a date"}])
    db.events.update_one({"_id": 4}, {"$set": {"at": now}})  # renewed before expiry
    db.events.update_one({"_id": 5}, {"$set": {"at": old}})  # aged after insert
    time.sleep(1.1)  # expiry runs at most once a second of the engine's clock
    assert [d["_id"] for d in db.events.find({})] == [2, 4, 6]
    assert db.events.find_one({"_id": 1}) is None


# Random data and operations, applied to plain mongomock and to the engine with maps.
SCALARS = st.one_of(st.integers(0, 4), st.sampled_from(["p", "q", 2.0]), st.none())
VALUES = st.one_of(SCALARS, st.lists(st.integers(0, 4), max_size=3), st.booleans())
DOCS = st.fixed_dictionaries(
    {},
    optional={
        "k": SCALARS,
        "u": st.integers(0, 6),
        "tags": VALUES,
        "sub": st.fixed_dictionaries({}, optional={"x": VALUES}),
        "items": st.lists(st.fixed_dictionaries({}, optional={"x": SCALARS}), max_size=2),
    },
)
CONDITION = st.one_of(
    VALUES,
    st.builds(lambda v: {"$eq": v}, VALUES),
    st.builds(lambda vs: {"$in": vs}, st.lists(SCALARS, max_size=3)),
    st.builds(lambda v: {"$in": [v], "$ne": 3}, SCALARS),
)
FIELDS = st.sampled_from(["_id", "k", "u", "tags", "sub.x", "items.x"])
FILTERS = st.dictionaries(FIELDS, CONDITION, max_size=3)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("insert"), DOCS),
        st.tuples(st.just("update"), FILTERS, DOCS),
        st.tuples(st.just("delete"), FILTERS),
        st.tuples(st.just("find"), FILTERS),
    ),
    max_size=40,
)


def apply(collection, operation):
    try:
        if operation[0] == "insert":
            return collection.insert_one(dict(operation[1])).inserted_id
        if operation[0] == "update":
            return collection.update_many(
                operation[1], {"$set": operation[2]} if operation[2] else {"$unset": {"k": ""}}
            ).modified_count
        if operation[0] == "delete":
            return collection.delete_one(operation[1]).deleted_count
        return list(collection.find(operation[1]))
    except PyMongoError as exc:
        return type(exc), getattr(exc, "code", None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPERATIONS, st.lists(FILTERS, max_size=10))
def test_the_maps_answer_as_a_full_scan_does(operations, finds):
    plain, mapped = mongomock.MongoClient().p.things, open_client().m.things
    for collection in (plain, mapped):
        collection.create_index([("u", 1)], unique=True)
        collection.create_index([("k", 1), ("tags", 1)])
        collection.create_index([("sub.x", 1)])
        collection.create_index([("items.x", 1), ("k", -1)])
    for n, operation in enumerate(operations):
        if operation[0] == "insert":
            operation = ("insert", {"_id": n, **operation[1]})
        assert apply(mapped, operation) == apply(plain, operation), operation
    for filter_ in [*finds, {}]:
        assert list(mapped.find(filter_)) == list(plain.find(filter_)), filter_
