"""Every query the engine runs is served by a declared index (checked on recorded query shapes)."""

from datetime import timedelta

from app.db import get_db
from app.services import clock
from app.services.conversations import inbound, lifecycle, outbound, reconcile, routing
from app.services.conversations.delivery import release_held
from app.services.conversations.window_expiry import expire_windows
from tests.engine.helpers import deliver, make_template, message
from tests.support.engine import customer_says, status_of
from tests.support.query_shapes import branches, embedded_only, recording, serves, uncovered

ENGINE_COLLECTIONS = {
    "interactions",
    "messages",
    "webhook_events",
    "pending_statuses",
    "contacts",
    "contact_lists",
    "queues",
    "users",
    "accounts",
    "templates",
    "dispositions",
    "tags",
}


@embedded_only
def test_the_engine_queries_only_through_declared_indexes(team):
    get_db().dispositions.insert_one({"name": "Resolved"})
    account = team["account"]
    with recording(ENGINE_COLLECTIONS) as shapes:
        inbound.ingest(account, customer_says(account, "+447700900123", "hello", name="Maria"))
        interaction = get_db().interactions.find_one({"account_id": account["_id"], "contact_id": {"$exists": True}})
        routing.waiting_for(team["bob"])
        routing.reject(team["bob"], interaction["_id"])
        routing.accept(team["alice"], interaction["_id"])
        sent, _ = outbound.compose(team["alice"], interaction["_id"], {"text": "hi"})
        deliver(interaction, sent)
        pmid = message(interaction["_id"], sent["id"])["provider_message_id"]
        inbound.ingest(account, status_of(account, pmid, "read"))
        inbound.ingest(account, status_of(account, "sbx.unknown", "delivered"))
        inbound.ingest(
            account, customer_says(account, "+447700900123", None, kind="reaction", reaction={"message_id": pmid, "emoji": "👍"})
        )
        template = make_template(account)
        outbound.compose(
            team["alice"],
            interaction["_id"],
            {"kind": "template", "template_id": str(template["_id"]), "params": {"body": ["A", "B"]}},
        )
        lifecycle.add_note(team["alice"], interaction["_id"], "note")
        lifecycle.transfer(team["alice"], interaction["_id"], to_agent_id=str(team["bob"]["_id"]))
        lifecycle.close(team["bob"], interaction["_id"], "Resolved")
        lifecycle.reopen(team["bob"], interaction["_id"])
        clock.advance(timedelta(hours=25))
        expire_windows()
        routing.reoffer_rejected(0)
        release_held(account["_id"])
        reconcile.reconcile(0)
    assert len(shapes) > 40
    assert uncovered(shapes) == []


@embedded_only
def test_the_checker_notices_an_unindexed_query(app):
    with recording({"interactions"}) as shapes:
        get_db().interactions.find_one({"contact.name": "Maria"})
    assert uncovered(shapes) == [("interactions", ("contact.name",), ())]


def test_one_index_must_serve_both_the_filter_and_the_sort():
    by_list = (("list_id", 1), ("last_name", 1), ("first_name", 1))
    assert serves(by_list, branches({"list_id": 1})[0], (("last_name", 1), ("first_name", 1)))
    assert serves(by_list, branches({"list_id": {"$in": [1, 2]}})[0], (("last_name", -1), ("first_name", -1)))
    assert not serves(by_list, branches({"list_id": 1})[0], (("last_name", 1), ("first_name", -1)))  # mixed directions
    assert not serves(by_list, branches({"list_id": {"$gt": 1}})[0], (("last_name", 1),))  # range, then a sort in memory
    assert not serves(by_list, branches({"last_name": "A"})[0], ())  # not the leading key
    # the sort's `_id` tie-breaker needs `_id` in the index, as a server's planner does
    assert uncovered([("interactions", branches({"account_id": 1}), [("last_message.at", -1), ("_id", -1)])]) == [
        ("interactions", ("account_id",), ("last_message.at", "_id"))
    ]
    # each $or branch needs its own index; equality on a unique key is one document, whatever else
    shape = ("interactions", branches({"$or": [{"queue_id": 1}, {"contact.name": "x"}]}), [])
    assert uncovered([shape]) == [("interactions", ("contact.name",), ())]
    assert uncovered([("users", branches({"email": "a@x", "name": {"$regex": "^A"}}), [("role", 1)])]) == []


def test_a_partial_index_serves_only_queries_that_imply_its_filter():
    open_ones = branches({"account_id": 1, "contact_id": 2, "is_open": True})
    any_ones = branches({"account_id": 1, "contact_id": 2, "status": "closed"})
    assert uncovered([("interactions", open_ones, [])]) == []
    # served by (account_id, contact_id, created_at) rather than the unique partial index
    assert uncovered([("interactions", any_ones, [("created_at", -1)])]) == []
    assert uncovered([("interactions", any_ones, [("closed_at", -1)])]) == [
        ("interactions", ("account_id", "contact_id", "status"), ("closed_at",))
    ]
