"""Messages as documents of their own: appends that cost the same at any length, updates by key,
pages in one indexed query, deliveries stored once, and the move of messages kept inside interactions."""

import threading

import bson
from bson import ObjectId

from app.db import get_db
from app.providers import sandbox
from app.services import clock
from app.services.attachments import media
from app.services.conversations import inbound, lifecycle, message_store, outbound
from app.services.reading import interaction_queries
from tests.engine.helpers import conversation, deliver, message
from tests.support.builders import make_user
from tests.support.engine import customer_says, status_of, stored_messages
from tests.support.query_shapes import embedded_only, recording, uncovered
from tests.support.round_trips import counting

CUSTOMER = "+447700900123"
BY_KEY = ({"_id"}, {"interaction_id", "id"}, {"account_id", "provider_message_id", "direction"}, {"interaction_id", "position"})


def say(account, n, text="Any news about my order?"):
    return inbound.ingest(account, customer_says(account, CUSTOMER, text, message_id=f"wamid.N{n:05d}"))


def the_interaction():
    return get_db().interactions.find_one({"contact.phone": CUSTOMER})


@embedded_only
def test_the_ten_thousandth_message_appends_as_the_second_did_and_the_interaction_does_not_grow(team):
    account = team["account"]
    say(account, 0)
    with recording({"interactions", "messages"}) as second:
        assert say(account, 1) == {"stored": 1}
    size = len(bson.encode(the_interaction()))
    interaction_id = the_interaction()["_id"]
    # 9,997 more messages: an append reads nothing of the messages before it, only the interaction's
    # counters, so these are counted without storing them (and the position counter skips to 9,999).
    skipped = 9997
    get_db().interactions.update_one({"_id": interaction_id}, {"$inc": {"messages_len": skipped, "message_count": skipped}})
    with recording({"interactions", "messages"}) as last:
        assert say(account, 9999) == {"stored": 1}
    assert last == second, "the same queries, by the same keys, at the 2nd and the 10,000th message"
    doc = the_interaction()
    assert doc["messages_len"] == doc["message_count"] == 10_000
    assert len(bson.encode(doc)) == size, "the interaction keeps its summary, never its messages"
    latest = get_db().messages.find_one({"interaction_id": interaction_id, "position": 9999})
    assert latest["provider_message_id"] == "wamid.N09999"
    _, page, paging = interaction_queries.detail(make_user("admin"), interaction_id)
    assert [m["position"] for m in page] == [0, 1, 9999] and paging["total"] == 10_000, "positions may have gaps"


@embedded_only
def test_a_page_of_messages_is_one_indexed_query(team):
    interaction = conversation(team, text="message 0")
    account = team["account"]
    for n in range(1, 100):
        say(account, n, f"message {n}")
    with recording({"messages"}) as shapes:
        _, messages, paging = interaction_queries.detail(team["alice"], interaction["_id"])
    assert len(shapes) == 1 and uncovered(shapes) == []
    assert [m["position"] for m in messages] == list(range(50, 100))
    assert paging == {"first_position": 50, "total": 100, "has_older": True}
    assert all(set(m) & {"_id", "interaction_id", "account_id"} == set() for m in messages), "the store's fields stay inside"
    _, older, paging = interaction_queries.detail(team["alice"], interaction["_id"], before=50)
    assert [m["text"] for m in older] == [f"message {n}" for n in range(50)]
    assert paging == {"first_position": 0, "total": 100, "has_older": False}


@embedded_only
def test_status_reaction_and_media_changes_address_the_message_by_key(team):
    account = team["account"]
    interaction = conversation(team)
    sent, _ = outbound.compose(team["alice"], interaction["_id"], {"text": "Let me check"})
    deliver(interaction, sent)
    pmid = message(interaction["_id"], sent["id"])["provider_message_id"]
    broken = {"url": "data:image/png;base64,not-base64!", "mime_type": "image/png"}
    inbound.ingest(account, customer_says(account, CUSTOMER, None, kind="image", media=broken))
    image = stored_messages(interaction["_id"])[-1]
    assert image["media"]["state"] == "failed"
    with recording({"interactions", "messages"}) as shapes:
        assert inbound.ingest(account, status_of(account, pmid, "delivered")) == {"applied": 1}
        reaction = customer_says(account, CUSTOMER, None, kind="reaction", reaction={"message_id": pmid, "emoji": "👍"})
        assert inbound.ingest(account, reaction) == {"reaction": 1}
        media.retry(team["alice"], str(interaction["_id"]), image["id"])
    message_filters = [set(fields) for name, branches, _ in shapes if name == "messages" for fields in branches]
    assert message_filters and all(any(key <= fields for key in BY_KEY) for fields in message_filters), message_filters
    interaction_fields = {f for name, branches, _ in shapes if name == "interactions" for fields in branches for f in fields}
    assert not any(f.startswith("messages") for f in interaction_fields), "nothing searches inside an interaction"
    stored = message(interaction["_id"], sent["id"])
    assert stored["status"] == "delivered" and stored["reactions"]["customer"]["emoji"] == "👍"
    assert message(interaction["_id"], image["id"])["media"]["state"] == "pending"


def test_a_message_delivered_many_times_at_once_is_stored_and_counted_once(team):
    account = team["account"]
    say(account, 0, "first")
    events = customer_says(account, CUSTOMER, "again and again", message_id="wamid.SAME")
    barrier = threading.Barrier(6)
    reports, errors = [], []

    def post():
        barrier.wait()
        try:
            reports.append(inbound.ingest(account, events))
        except Exception as exc:  # collected: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(next(iter(r)) for r in reports) == ["duplicate"] * 5 + ["stored"]
    assert [m["text"] for m in stored_messages(the_interaction()["_id"])] == ["first", "again and again"]
    assert the_interaction()["message_count"] == the_interaction()["unread"] == 2


def test_a_twelve_megabyte_sandbox_file_is_stored_in_gridfs_not_in_the_message(team):
    account = team["account"]
    data = b"\x89PNG\r\n\x1a\n" + bytes(12 * 1024 * 1024)
    big = {"url": sandbox.data_url(data, "image/png"), "mime_type": "image/png", "filename": "scan.png"}
    assert inbound.ingest(account, customer_says(account, CUSTOMER, None, kind="image", media=big)) == {"stored": 1}
    [stored] = get_db().messages.find({})
    assert len(bson.encode(stored)) < 4096, "a reference, never the bytes"
    assert stored["media"]["state"] == "ready" and stored["media"]["size"] == len(data)
    assert media.stored_file(stored["media"]["file_id"]).read() == data


def test_init_db_moves_messages_kept_inside_interactions_once(team, runner):
    account = team["account"]
    say(account, 0, "kept in its own document")
    interaction_id = the_interaction()["_id"]
    old = [
        {"id": f"old{n}", "provider_message_id": f"wamid.OLD{n}", "direction": "in", "author": "customer", "kind": "text",
         "text": f"old {n}", "at": clock.now(), "reactions": {}}
        for n in range(3)
    ]
    earlier_shape = {k: v for k, v in the_interaction().items() if k not in ("_id", "contact_id")}
    earlier = get_db().interactions.insert_one(
        {**earlier_shape, "contact_id": ObjectId(), "is_open": False, "messages": old, "messages_len": 3}
    ).inserted_id
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0 and "3 messages of 1 interactions moved" in first.output, first.output
    again = runner.invoke(args=["init-db"])
    assert again.exit_code == 0 and "moved" not in again.output, "nothing left to move"
    doc = get_db().interactions.find_one({"_id": earlier})
    assert "messages" not in doc and doc["messages_len"] == 3
    assert [(m["id"], m["text"], m["provider_message_id"]) for m in stored_messages(earlier)] == [
        (m["id"], m["text"], m["provider_message_id"]) for m in old
    ]
    assert [m["position"] for m in get_db().messages.find({"interaction_id": earlier}, sort=[("position", 1)])] == [0, 1, 2]
    assert [m["text"] for m in stored_messages(interaction_id)] == ["kept in its own document"]


def test_a_conversations_words_stay_on_its_messages_and_the_interaction_keeps_only_the_contacts(team):
    """Every message updates its interaction: with the conversation's vocabulary on it, each update
    rewrote a growing array (what made a long conversation's messages dearer, and 200 KB documents
    rewritten per message on a server)."""
    account = team["account"]
    inbound.ingest(account, customer_says(account, CUSTOMER, "hello there", name="Maria Rossi"))
    for n in range(1, 40):
        say(account, n, f"unique{n} words")
    with counting() as later:
        say(account, 40, "unique40 words")
    assert later.total == 2, f"an update of the interaction and the message's insert: {later}"
    interaction = the_interaction()
    assert sorted(interaction["search_terms"]) == sorted(["maria", "rossi", CUSTOMER.lstrip("+")])
    stored = list(message_store.all_of(interaction["_id"]))
    assert stored[0]["search_terms"] == ["hello", "there"] and stored[5]["search_terms"] == ["unique5", "words"]
    _, shown, _ = interaction_queries.detail(make_user("admin"), interaction["_id"])
    assert shown and all("search_terms" not in m for m in shown), "a store field, never shown"


def test_notes_and_system_lines_bring_no_search_terms(team):
    interaction = conversation(team)
    lifecycle.add_note(team["alice"], interaction["_id"], "internal remark about zebras")
    lifecycle.close(team["alice"], interaction["_id"])
    lines = [m for m in message_store.all_of(interaction["_id"]) if m["direction"] not in ("in", "out")]
    assert {m["kind"] for m in lines} == {"note", "system"}
    assert all("search_terms" not in m for m in lines)
