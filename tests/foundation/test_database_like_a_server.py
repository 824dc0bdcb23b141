"""Writes and sorts behave as on a MongoDB server (7) whichever engine runs: $max/$min and sorts order
values by BSON type (null before a date), an update BSON cannot carry (an integer past 2^63, a lone
surrogate) is refused, a refused update writes nothing at all, a document over 16 MB is refused
with a server's error, and an update may not create a "$"-prefixed field name."""

from datetime import datetime

import pytest
from pymongo.errors import BulkWriteError, DocumentTooLarge, OperationFailure, PyMongoError, WriteError

from app.db import connect, get_db

AT = datetime(2026, 3, 1, 12, 0)


@pytest.fixture
def doc(app):
    get_db().things.insert_one({"_id": 1, "seen": None, "first": None, "items": [], "n": 1})
    return get_db().things


def test_max_over_null_takes_the_date_and_min_keeps_the_null(doc):
    doc.update_one({"_id": 1}, {"$max": {"seen": AT, "missing": AT}, "$min": {"first": AT}})
    stored = doc.find_one({"_id": 1})
    assert stored["seen"] == AT and stored["missing"] == AT
    assert stored["first"] is None  # null sorts before every date, on a server too


@pytest.mark.parametrize(
    "update",
    [
        {"$push": {"items": {"card": 2**64}}},
        {"$addToSet": {"items": 2**63}},
        {"$inc": {"n": 2**64}},
        {"$push": {"items": "kept?"}, "$set": {"last": "kept?"}, "$max": {"seen": 2**70}},
    ],
    ids=["push", "add_to_set", "inc", "after_other_operators"],
)
def test_an_integer_past_2_63_is_refused_and_writes_nothing(doc, update):
    with pytest.raises((OverflowError, PyMongoError)):
        doc.update_one({"_id": 1}, update)
    with pytest.raises((OverflowError, PyMongoError)):
        doc.find_one_and_update({"_id": 1}, update)
    assert doc.find_one({"_id": 1}) == {"_id": 1, "seen": None, "first": None, "items": [], "n": 1}


def test_an_operator_that_fails_midway_leaves_the_document_as_it_was(doc):
    doc.update_one({"_id": 1}, {"$set": {"seen": AT}})
    with pytest.raises((TypeError, PyMongoError)):  # the embedded engine's TypeError, a server's WriteError
        doc.update_one({"_id": 1}, {"$push": {"items": "x"}, "$set": {"last": "x"}, "$inc": {"seen": 1}})
    stored = doc.find_one({"_id": 1})
    assert stored["items"] == [] and "last" not in stored and stored["seen"] == AT
    assert list(stored) == ["_id", "seen", "first", "items", "n"]


def test_a_failed_update_restores_changes_inside_array_elements(doc):
    doc.update_one({"_id": 1}, {"$set": {"seen": AT}, "$push": {"items": {"$each": [{"status": "sent"}, {"status": "sent"}]}}})
    with pytest.raises((TypeError, PyMongoError)):
        doc.update_one({"_id": 1}, {"$set": {"items.1.status": "read", "items.0.at": AT}, "$inc": {"seen": 1}})
    with pytest.raises((TypeError, PyMongoError)):
        doc.update_one({"_id": 1}, {"$pull": {"items": {"status": "sent"}}, "$inc": {"seen": 1}})
    assert doc.find_one({"_id": 1})["items"] == [{"status": "sent"}, {"status": "sent"}]


BIG = "x" * (16 * 1024 * 1024)


def test_a_document_over_16_mb_is_refused_on_insert_like_a_server(app):
    things = get_db().things
    with pytest.raises(WriteError, match="object to insert too large") as refused:
        things.insert_one({"_id": 2, "text": BIG})
    assert refused.value.code == 2
    with pytest.raises(BulkWriteError):
        things.insert_many([{"_id": 3}, {"_id": 4, "text": BIG}])
    things.insert_one({"_id": 5, "text": BIG[: 16 * 1024 * 1024 - 100]})  # just under the limit is stored
    assert things.find_one({"_id": 2}) is None and things.find_one({"_id": 4}) is None


def test_an_update_or_replacement_past_16_mb_is_refused_and_writes_nothing(doc):
    half = BIG[: 9 * 1024 * 1024]
    doc.update_one({"_id": 1}, {"$push": {"items": half}})
    for update in ({"$push": {"items": half}, "$set": {"last": "x"}}, {"$set": {"n": 2, "other": half}}):
        with pytest.raises(WriteError, match="Resulting document after update is larger than 16777216") as refused:
            doc.update_one({"_id": 1}, update)
        assert refused.value.code == 10334
    with pytest.raises(OperationFailure) as refused:  # a command on a server: not a WriteError
        doc.find_one_and_update({"_id": 1}, {"$push": {"items": half}})
    assert refused.value.code == 10334 and not isinstance(refused.value, WriteError)
    with pytest.raises(WriteError):  # just over 16 MB: pymongo sends it and the server refuses it
        doc.replace_one({"_id": 1}, {"text": BIG})
    with pytest.raises(DocumentTooLarge):  # far over: pymongo does not send it
        doc.replace_one({"_id": 1}, {"text": BIG + BIG[:20000]})
    with pytest.raises(DocumentTooLarge):
        doc.update_one({"_id": 1}, {"$set": {"other": BIG + BIG[:20000]}})
    stored = doc.find_one({"_id": 1})
    assert stored["n"] == 1 and len(stored["items"]) == 1 and "last" not in stored and "other" not in stored


@pytest.mark.parametrize(
    "write",
    [
        lambda things: things.insert_one({"text": "\ud800"}),
        lambda things: things.update_one({"_id": 1}, {"$set": {"text": "a\udfffb"}}),
        lambda things: things.update_one({"_id": 1}, {"$push": {"items": {"body": "\ud83d"}}, "$inc": {"n": 1}}),
        lambda things: things.replace_one({"_id": 1}, {"text": "\ud800"}),
    ],
    ids=["insert", "set", "push", "replace"],
)
def test_a_string_with_a_lone_surrogate_is_refused_as_pymongo_refuses_it(doc, write):
    with pytest.raises(UnicodeEncodeError):  # what bson raises before pymongo sends anything
        write(doc)
    assert doc.find_one({"_id": 1}) == {"_id": 1, "seen": None, "first": None, "items": [], "n": 1}
    assert doc.count_documents({}) == 1


@pytest.mark.parametrize(
    "update",
    [
        {"$set": {"$where": "1"}},
        {"$set": {"payload.$ref": "x", "n": 2}},
        {"$push": {"items": "x"}, "$setOnInsert": {"raw.$id": 1}},
        {"$inc": {"counts.$gt": 1}},
    ],
    ids=["top_level", "nested_path", "after_other_operators", "inc"],
)
def test_an_update_may_not_create_a_dollar_prefixed_name_as_on_mongodb_7(doc, update):
    with pytest.raises(
        WriteError, match=r"The dollar \(\$\) prefixed field '\$\w+' in '[\w.$]+' is not valid for storage"
    ) as refused:
        doc.update_one({"_id": 1}, update)
    assert refused.value.code == 52
    assert doc.find_one({"_id": 1}) == {"_id": 1, "seen": None, "first": None, "items": [], "n": 1}


def test_dollar_prefixed_and_dotted_names_inside_a_stored_value_are_kept_and_positional_paths_still_work(doc):
    raw = {"$ref": "x", "a.b": 1, "nested": {"$where": "1"}}
    doc.update_one({"_id": 1}, {"$set": {"raw": raw}, "$push": {"items": {"status": "sent", "raw": raw}}})
    doc.update_one({"_id": 1, "items.status": "sent"}, {"$set": {"items.$.status": "read", "items.$[].seen": True}})
    doc.update_one({"_id": 1}, {"$unset": {"raw.$ref": ""}})  # removing creates no name
    stored = doc.find_one({"_id": 1})
    assert stored["raw"] == {"a.b": 1, "nested": {"$where": "1"}} and stored["items"] == [
        {"status": "read", "raw": raw, "seen": True}
    ]


def test_a_sort_over_mixed_types_follows_bson_order_null_first(app):
    """null and a missing field sort together before numbers, strings, objects, booleans and dates
    (BSON order), in finds and in aggregations, on a nested path too: no TypeError."""
    things = get_db().things
    values = {1: None, 2: AT, 3: ..., 4: 5, 5: "s", 6: True, 7: {"a": 1}}
    things.insert_many([{"_id": i} if v is ... else {"_id": i, "t": v, "m": {"at": v}} for i, v in values.items()])
    for field in ("t", "m.at"):
        up = [(field, 1), ("_id", 1)]
        down = [(field, -1), ("_id", 1)]
        assert [d["_id"] for d in things.find({}, sort=up)] == [1, 3, 4, 5, 7, 6, 2]
        assert [d["_id"] for d in things.find({}, sort=down)] == [2, 6, 7, 5, 4, 1, 3]
        assert [d["_id"] for d in things.aggregate([{"$sort": dict(down)}])] == [2, 6, 7, 5, 4, 1, 3]


def test_opening_the_embedded_database_again_wraps_the_engine_no_further(app):
    from mongomock.collection import Collection

    wrapped = (Collection._insert, Collection._find_and_modify, Collection._apply_update_document)
    connect(app.config["MONGO_URI"])
    connect(app.config["MONGO_URI"])
    assert (Collection._insert, Collection._find_and_modify, Collection._apply_update_document) == wrapped


def test_reads_while_another_thread_writes_the_same_document_never_fail(doc):
    """A server answers a read during a write with the document before or after it; the embedded engine
    once changed the document in place under a read copying it ("dictionary changed size")."""
    import threading

    from tests.support.races import run_racing

    failures, done = [], threading.Event()
    doc.update_one({"_id": 1}, {"$set": {f"wide_{n}": n for n in range(300)}})  # a long copy to interrupt

    def write():
        try:
            for n in range(10000):
                doc.update_one({"_id": 1}, {"$set": {f"field_{n}": n}, "$unset": {f"field_{n - 1}": ""}})
        except Exception as exc:  # counted, and the readers still stop
            failures.append(exc)
        finally:
            done.set()

    def read():
        while not done.is_set():
            try:
                doc.find_one({"_id": 1}, {"items": 0})
            except Exception as exc:
                failures.append(exc)

    run_racing([threading.Thread(target=write), *(threading.Thread(target=read) for _ in range(3))])
    assert failures == []
