"""The embedded engine's index maps (app/embedded_engine/indexed.py) answer as a full scan does: unique
indexes refuse what they refused before, after updates, deletes and rollbacks too; partial and
sparse unique indexes leave out what a server's leave out; TTL indexes still expire; a document
changed in place (an array pushed to, a subdocument's field set) is found by its new values only;
and finds, counts and aggregations opening with a match return what plain mongomock returns, on
random data and operations, with maps equal to those rebuilt from the documents."""

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


def _ids(collection, filter_):
    return sorted(d["_id"] for d in collection.find(filter_))


def test_an_array_changed_in_place_is_found_by_its_new_values_only(db):
    db.things.create_index([("terms", 1)])
    db.things.create_index([("k", 1), ("terms", 1)])
    db.things.insert_many([{"_id": 1, "k": 1, "terms": ["a", "b"]}, {"_id": 2, "k": 1, "terms": ["b"]}])
    db.things.update_one({"_id": 1}, {"$push": {"terms": "c"}})
    db.things.find_one_and_update({"_id": 2}, {"$pull": {"terms": "b"}})
    assert _ids(db.things, {"terms": "c"}) == [1] and _ids(db.things, {"k": 1, "terms": "c"}) == [1]
    assert _ids(db.things, {"terms": "b"}) == [1] and _ids(db.things, {"k": 1, "terms": "b"}) == [1]
    db.things.update_one({"_id": 1}, {"$addToSet": {"terms": {"$each": ["d", "a"]}}})
    db.things.update_one({"_id": 1}, {"$pop": {"terms": -1}})  # drops "a"
    assert _ids(db.things, {"terms": {"$in": ["a", "b", "c", "d"]}}) == [1]
    assert _ids(db.things, {"terms": "a"}) == [] and _ids(db.things, {"terms": "d"}) == [1]
    db.things.update_one({"_id": 1}, {"$set": {"terms.0": "z"}})  # "b" becomes "z"
    assert _ids(db.things, {"terms": "b"}) == [] and _ids(db.things, {"terms": "z"}) == [1]
    db.things.update_one({"_id": 2}, {"$set": {"terms": "b"}})  # an array becomes a scalar
    db.things.update_one({"_id": 1}, {"$set": {"terms": []}})  # and an empty array
    assert _ids(db.things, {"terms": "b"}) == [2] and _ids(db.things, {"terms": "z"}) == []
    db.things.update_one({"_id": 1}, {"$set": {"terms": [1, 2.0]}})
    db.things.update_one({"_id": 1}, {"$set": {"terms": [1.0, 2]}})  # equal values, other types
    assert _ids(db.things, {"terms": 2}) == [1] and _ids(db.things, {"k": 1, "terms": 1}) == [1]
    db.things.update_one({"_id": 1}, {"$set": {"terms": [2, "x", "y"]}})  # longer, not only appended to
    assert _ids(db.things, {"terms": 1}) == [] and _ids(db.things, {"k": 1, "terms": "y"}) == [1]
    db.things.update_one({"_id": 1}, {"$push": {"terms": {"$each": ["w"], "$position": 0}}})
    assert _ids(db.things, {"terms": {"$in": ["w", "x", "y", 2]}}) == [1] and _ids(db.things, {"k": 1, "terms": "w"}) == [1]


def test_a_subdocument_changed_in_place_is_found_by_its_new_values_only(db):
    db.things.create_index([("contact.phone", 1)])
    db.things.insert_one({"_id": 1, "contact": {"phone": "1"}, "items": [{"x": 1}]})
    db.things.create_index([("items.x", 1)])
    db.things.update_one({"_id": 1}, {"$set": {"contact.phone": "2", "items.0.x": 2}})
    assert _ids(db.things, {"contact.phone": "1"}) == [] and _ids(db.things, {"contact.phone": "2"}) == [1]
    assert _ids(db.things, {"items.x": 1}) == [] and _ids(db.things, {"items.x": 2}) == [1]
    db.things.update_one({"_id": 1}, {"$push": {"items": {"x": 3}}, "$unset": {"contact": ""}})
    assert _ids(db.things, {"items.x": 3}) == [1] and _ids(db.things, {"contact.phone": "2"}) == []


def test_a_document_enters_and_leaves_a_partial_index_by_the_fields_of_its_filter_only(db):
    db.things.create_index([("contact", 1)], unique=True, partialFilterExpression={"$and": [{"open": True}, {"n": {"$gt": 0}}]})
    db.things.insert_many([{"_id": 1, "contact": "c", "open": True, "n": 0}, {"_id": 2, "contact": "c", "open": True, "n": 1}])
    with pytest.raises(DuplicateKeyError):  # only the filter's field changes, not the key
        db.things.update_one({"_id": 1}, {"$inc": {"n": 1}})
    db.things.update_one({"_id": 2}, {"$set": {"open": False}})  # 2 leaves the index
    db.things.update_one({"_id": 1}, {"$inc": {"n": 1}})  # and 1 enters it
    with pytest.raises(DuplicateKeyError):
        db.things.update_one({"_id": 2}, {"$set": {"open": True}})
    db.things.update_one({"_id": 1}, {"$set": {"n": 0.0}})  # leaves it, its key unchanged
    db.things.update_one({"_id": 2}, {"$set": {"open": True}})
    assert db.things.find_one({"_id": 2})["open"] is True


def test_a_partial_filter_on_a_type_sees_an_equal_value_of_another_type(db):
    db.things.create_index([("a", 1)], unique=True, partialFilterExpression={"n": {"$type": "double"}})
    db.things.insert_many([{"_id": 1, "a": 1, "n": 1.0}, {"_id": 2, "a": 1, "n": 2}, {"_id": 3, "a": 1, "n": [2]}])
    # 2.0 equals 2, and is a double. (The engine takes an update that changes nothing but a number's
    # type for no change at all, so each of these changes another field too.)
    with pytest.raises(DuplicateKeyError):
        db.things.update_one({"_id": 2}, {"$set": {"n": 2.0, "seen": True}})
    with pytest.raises(DuplicateKeyError):
        db.things.update_one({"_id": 3}, {"$set": {"n": [2.0], "seen": True}})
    db.things.update_one({"_id": 1}, {"$set": {"n": 1, "seen": True}})  # leaves the index
    db.things.update_one({"_id": 2}, {"$set": {"n": 2.0, "seen": True}})
    assert db.things.find_one({"_id": 2})["n"] == 2.0


def test_an_array_of_a_unique_index_refuses_an_element_another_holds_after_an_update(db):
    db.things.create_index([("tags", 1)], unique=True)
    db.things.insert_many([{"_id": 1, "tags": ["a", "b"]}, {"_id": 2, "tags": ["c"]}])
    with pytest.raises(DuplicateKeyError):
        db.things.update_one({"_id": 2}, {"$push": {"tags": "b"}})
    assert db.things.find_one({"_id": 2})["tags"] == ["c"] and _ids(db.things, {"tags": "b"}) == [1]
    db.things.update_one({"_id": 1}, {"$pull": {"tags": "b"}})
    db.things.update_one({"_id": 2}, {"$push": {"tags": "b"}})  # freed by the pull
    with pytest.raises(DuplicateKeyError):
        db.things.find_one_and_update({"_id": 1}, {"$set": {"tags.0": "c"}})
    assert _ids(db.things, {"tags": "a"}) == [1] and _ids(db.things, {"tags": {"$in": ["b", "c"]}}) == [2]


def _maps(collection):
    return {
        fields: (key_map.held, key_map.ids, key_map.overflow)
        for fields, key_map in [*collection._store._maps.items(), *collection._store._unique.items()]
    }


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
        st.tuples(st.sampled_from(["$push", "$addToSet", "$pull"]), FILTERS, st.sampled_from(["tags", "sub.x"]), SCALARS),
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
        if operation[0].startswith("$"):
            return collection.update_many(operation[1], {operation[0]: {operation[2]: operation[3]}}).modified_count
        if operation[0] == "delete":
            return collection.delete_one(operation[1]).deleted_count
        return list(collection.find(operation[1]))
    except (PyMongoError, AttributeError, TypeError) as exc:  # mongomock's own, for a $push or $addToSet to a non-array
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
    for filter_ in [*finds, {}, {"k": "p"}, {"k": "q", "tags": "p"}, {"sub.x": "p"}]:
        assert list(mapped.find(filter_)) == list(plain.find(filter_)), filter_
        assert mapped.count_documents(filter_) == plain.count_documents(filter_), filter_
        grouped = [{"$match": filter_}, {"$group": {"_id": "$k", "n": {"$sum": 1}}}]
        assert sorted(map(repr, mapped.aggregate(grouped))) == sorted(map(repr, plain.aggregate(grouped))), filter_
    kept = _maps(mapped)
    mapped._store._rebuild()  # the maps kept through the updates are the ones the documents give
    assert _maps(mapped) == kept
