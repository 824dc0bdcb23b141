"""The embedded engine's document copies are deep copies: a change to the copy never reaches the stored document."""

import datetime
from collections import OrderedDict

from bson import ObjectId

from app.db import get_db
from app.embedded_engine.copies import document_copy


def test_a_copy_is_equal_and_independent_at_every_depth():
    original = {
        "_id": ObjectId(),
        "at": datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC),
        "search_terms": ["order", "refund", 42],
        "reopens": [{"at": None, "by": "customer", "tags": ["vip"]}],
        "ordered": OrderedDict(a=[1, 2]),  # not a plain dict: copied by copy.deepcopy
        "set": {1, 2},
    }
    copied = document_copy(original)
    assert copied == original
    copied["search_terms"].append("new")
    copied["reopens"][0]["tags"].append("changed")
    copied["ordered"]["a"].append(3)
    copied["set"].add(3)
    assert original["search_terms"] == ["order", "refund", 42]
    assert original["reopens"][0]["tags"] == ["vip"]
    assert original["ordered"]["a"] == [1, 2] and original["set"] == {1, 2}
    assert copied["_id"] is original["_id"], "immutable values are shared, as a deep copy shares them"


def test_a_query_result_changed_by_the_caller_leaves_the_stored_document_as_it_was(app):
    with app.app_context():
        get_db().probes.insert_one({"_id": 1, "terms": ["a", "b"], "nested": {"list": [1]}})
        found = get_db().probes.find_one({"_id": 1})
        found["terms"].append("c")
        found["nested"]["list"].append(2)
        get_db().probes.update_one({"_id": 1}, {"$addToSet": {"terms": "d"}})
        assert get_db().probes.find_one({"_id": 1}) == {"_id": 1, "terms": ["a", "b", "d"], "nested": {"list": [1]}}
