"""Customer messages into contacts and interactions."""

import threading
from datetime import timedelta

from app.db import get_db
from app.providers.sandbox import build_inbound
from app.services import clock
from app.services.conversations import inbound
from app.services.conversations.window_expiry import expire_windows
from tests.support.engine import customer_says, live_events, sandbox_events, stored_messages
from tests.support.query_shapes import embedded_only
from tests.support.races import run_racing

CUSTOMER = "+447700900123"


def interactions():
    return list(get_db().interactions.find({}))


def messages_of_first():
    return stored_messages(interactions()[0]["_id"])


def test_first_message_creates_contact_and_queued_interaction(team):
    account = team["account"]
    report = inbound.ingest(account, customer_says(account, CUSTOMER, "Hi, my order is late", name="Maria Rossi"))
    assert report == {"stored": 1}
    contact = get_db().contacts.find_one({"phone": CUSTOMER})
    assert (contact["first_name"], contact["last_name"], contact["mobile"]) == ("Maria", "Rossi", CUSTOMER)
    [interaction] = interactions()
    assert interaction["status"] == "queued" and interaction["is_open"]
    assert interaction["queue_id"] == team["queue"]["_id"] and interaction["account_name"] == account["name"]
    assert interaction["contact"] == {"name": "Maria Rossi", "phone": CUSTOMER}
    assert interaction["unread"] == 1 and interaction["message_count"] == 1
    assert interaction["last_message"]["preview"] == "Hi, my order is late"
    [message] = stored_messages(interaction["_id"])
    assert message["direction"] == "in" and message["text"] == "Hi, my order is late"
    expires = interaction["window_expires_at"].replace(tzinfo=None)
    assert expires == (message["at"] + timedelta(hours=24)).replace(tzinfo=None)


def test_next_messages_append_and_move_the_window(team):
    account = team["account"]
    first = clock.now() - timedelta(hours=5)
    inbound.ingest(account, customer_says(account, CUSTOMER, "one", timestamp=int(first.timestamp())))
    inbound.ingest(account, customer_says(account, CUSTOMER, "two"))
    [interaction] = interactions()
    assert [m["text"] for m in stored_messages(interaction["_id"])] == ["one", "two"]
    assert interaction["unread"] == 2 and interaction["seq"] == 2
    assert interaction["window_expires_at"].replace(tzinfo=None) > (clock.now() + timedelta(hours=23)).replace(tzinfo=None)


def test_an_older_message_arriving_late_never_shortens_the_window(team):
    account = team["account"]
    inbound.ingest(account, customer_says(account, CUSTOMER, "new"))
    expires = interactions()[0]["window_expires_at"]
    old = clock.now() - timedelta(hours=10)
    inbound.ingest(account, customer_says(account, CUSTOMER, "old", timestamp=int(old.timestamp())))
    assert interactions()[0]["window_expires_at"] == expires


def test_the_same_webhook_three_times_stores_one_message(team):
    account = team["account"]
    events = customer_says(account, CUSTOMER, "once", message_id="wamid.ONE")
    reports = [inbound.ingest(account, events) for _ in range(3)]
    assert reports == [{"stored": 1}, {"duplicate": 1}, {"duplicate": 1}]
    assert len(messages_of_first()) == 1
    assert interactions()[0]["message_count"] == interactions()[0]["unread"] == 1, "counted once"


def test_ten_simultaneous_webhooks_from_a_new_customer_make_one_interaction(team):
    account = team["account"]
    batches = [customer_says(account, "+447700900555", f"photo {n}", message_id=f"wamid.P{n}") for n in range(10)]
    barrier = threading.Barrier(10)
    errors = []

    def post(events):
        barrier.wait()
        try:
            inbound.ingest(account, events)
        except Exception as exc:  # collected: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=post, args=(b,)) for b in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert get_db().contacts.count_documents({"phone": "+447700900555"}) == 1
    [interaction] = interactions()
    assert sorted(m["text"] for m in stored_messages(interaction["_id"])) == sorted(f"photo {n}" for n in range(10))
    assert interaction["message_count"] == 10


def test_every_kind_is_stored(team):
    account = team["account"]
    bodies = [
        build_inbound(CUSTOMER, "location", location={"latitude": 45.46, "longitude": 9.19, "name": "Duomo"}),
        build_inbound(
            CUSTOMER, "contacts", contacts=[{"name": {"formatted_name": "Luca"}, "phones": [{"phone": "+393331112222"}]}]
        ),
        build_inbound(CUSTOMER, "button_reply", reply={"id": "yes", "title": "Yes please"}),
        build_inbound(
            CUSTOMER, "image", caption="receipt", media={"url": "data:image/png;base64,iVBORw0KGgo=", "mime_type": "image/png"}
        ),
        build_inbound(CUSTOMER, "unsupported"),
    ]
    assert inbound.ingest(account, sandbox_events(account, *bodies)) == {"stored": 5}
    kinds = {m["kind"]: m for m in messages_of_first()}
    assert kinds["location"]["location"]["name"] == "Duomo"
    assert kinds["contacts"]["contacts"][0]["phones"][0]["phone"] == "+393331112222"
    assert kinds["button_reply"]["reply"]["title"] == "Yes please"
    # the file came inside the webhook: into GridFS at once, never kept inline in the message
    assert kinds["image"]["media"]["state"] == "ready" and kinds["image"]["caption"] == "receipt"
    assert kinds["image"]["media"]["file_id"] and "url" not in kinds["image"]["media"]
    assert kinds["unsupported"]["error"]["code"] == "unsupported"
    assert interactions()[0]["last_message"]["preview"] == "Unsupported message"


def test_expiry_job_marks_exactly_the_expired_interactions(team):
    account = team["account"]
    inbound.ingest(account, customer_says(account, "+447700900001", "early"))
    clock.advance(timedelta(hours=12))
    later = int(clock.now().timestamp())  # the provider's timestamp, on the moved clock
    inbound.ingest(account, customer_says(account, "+447700900002", "later", timestamp=later))
    clock.advance(timedelta(hours=12, seconds=1))
    assert expire_windows() == 1
    assert expire_windows() == 0  # announced once
    states = {i["contact"]["phone"]: i["window_expired"] for i in interactions()}
    assert states == {"+447700900001": True, "+447700900002": False}
    events = [e for i in interactions() for e in live_events(i["_id"], "window_expired")]
    assert len(events) == 1


@embedded_only
def test_concurrent_changes_to_one_interaction_never_share_a_sequence_number(team):
    """Web threads and the embedded worker write at once; each change must get its own number.

    A long conversation (its messages stored directly) makes each write slower, so the threads overlap.
    """
    from app.services.conversations import lifecycle, routing

    account = team["account"]
    inbound.ingest(account, customer_says(account, CUSTOMER, "start"))
    interaction_id = interactions()[0]["_id"]
    routing.accept(team["alice"], interaction_id)
    filler = [{"id": f"old{n}", "direction": "in", "kind": "text", "text": "old " * 20, "at": clock.now(),
               "interaction_id": interaction_id, "account_id": account["_id"], "position": 1 + n} for n in range(300)]
    get_db().messages.insert_many(filler)
    get_db().interactions.update_one({"_id": interaction_id}, {"$inc": {"messages_len": len(filler)}})
    barrier = threading.Barrier(12)

    def write(n):
        barrier.wait()
        if n % 2:
            inbound.ingest(account, customer_says(account, CUSTOMER, f"burst {n}", message_id=f"wamid.B{n}"))
        else:
            lifecycle.add_note(team["alice"], interaction_id, f"note {n}")

    run_racing([threading.Thread(target=write, args=(n,)) for n in range(12)])
    seqs = [e["seq"] for e in live_events(interaction_id)]
    assert seqs == list(range(1, interactions()[0]["seq"] + 1))
