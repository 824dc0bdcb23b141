"""MongoDB round trips: the counter itself, and what one customer message costs on the webhook path."""

from app.db import get_db
from app.services import clock
from app.services.attachments import media_store
from app.services.channel import accounts, drain, webhooks
from tests.support.engine import customer_says
from tests.support.round_trips import counting

KNOWN = "+447700900111"
NEW = "+447700900222"

# At most 3 round trips for a known customer's follow-up text and 5 for a new customer's first
# message; live events go to Redis and cost none. A follow-up: the append to the open interaction
# found by number, the message insert. A first message: the append that finds no open interaction,
# the recontact reopen that finds none, the contact created, the interaction and the message inserted.
FOLLOW_UP_BOUND = 2
FIRST_MESSAGE_BOUND = 5


def test_one_query_counts_once_however_the_engine_serves_it(app):
    get_db().notes.insert_many([{"n": n} for n in range(3)])
    with counting() as trips:
        assert get_db().notes.find_one({"n": 1})["n"] == 1
        assert [d["n"] for d in get_db().notes.find({}).sort("n", 1)] == [0, 1, 2]
        get_db().notes.update_one({"n": 2}, {"$set": {"seen": True}})
        assert get_db().notes.count_documents({"seen": True}) == 1
    assert trips.total == 4, trips
    assert trips.calls[("notes", "find")] + trips.calls[("notes", "find_one")] == 2, trips
    assert "notes." in str(trips) and str(trips).startswith("4 round trips")


def test_what_runs_outside_the_block_is_not_counted(app):
    with counting() as trips:
        pass
    get_db().notes.find_one({})
    assert trips.total == 0, trips


def test_gridfs_is_counted_on_its_collections(app):
    with counting() as trips:
        stored = media_store.put(b"picture bytes", "photo.jpg", "image/jpeg")
        data, _ = media_store.get(stored["file_id"])
    assert data == b"picture bytes"
    assert trips.total >= 3, trips
    assert {collection for collection, _ in trips.calls} <= {"media.files", "media.chunks", get_db().name}, trips
    assert any(collection == "media.chunks" for collection, _ in trips.calls), trips


def _webhook(account, sender, text):
    """What one webhook costs the database after the signature check: the ack (the account, the
    inbox in Redis) and the drain that applies its event, run here rather than by a worker."""
    target = accounts.find_by_webhook_key(account["webhook_key"])
    events = customer_says(target, sender, text)
    assert webhooks.accept(target, events, clock.now()) == {"accepted": 1}
    outcome = drain.drain()
    assert outcome["end"] == "done", outcome
    return outcome["applied"]


def test_round_trips_of_a_follow_up_and_of_a_new_customers_first_message(team):
    account = team["account"]
    assert _webhook(account, KNOWN, "Hello") == {"stored": 1}  # a known customer, the caches warm

    with counting() as follow_up:
        assert _webhook(account, KNOWN, "Any news on my order?") == {"stored": 1}
    with counting() as first:
        assert _webhook(account, NEW, "Hi, I am new here") == {"stored": 1}

    print(f"\nfollow-up text of a known customer: {follow_up}\nfirst message of a new customer: {first}")
    assert follow_up.total <= FOLLOW_UP_BOUND, follow_up
    assert first.total <= FIRST_MESSAGE_BOUND, first
    for trips in (follow_up, first):  # what rarely changes comes from the cache
        assert not {c for c, _ in trips.calls} & {"accounts", "queues", "users", "contact_lists"}, trips
