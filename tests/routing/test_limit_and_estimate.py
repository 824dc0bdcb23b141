"""The automatic-message limiter on the engine's clock (real Redis), the position in the queue, the
typical wait and how a wait is put into words."""

from datetime import timedelta

from bson import ObjectId

from app.db import get_db
from app.services import clock
from app.services.routing import reply_limit, waiting_estimate
from tests.routing.support import MONDAY_9

ACCOUNT, CONTACT = ObjectId(), ObjectId()


def test_one_automatic_message_per_customer_every_n_minutes(app):
    clock.freeze(MONDAY_9)
    assert reply_limit.claim(ACCOUNT, CONTACT, 5)
    assert not reply_limit.claim(ACCOUNT, CONTACT, 5)
    assert reply_limit.claim(ACCOUNT, ObjectId(), 5)  # another customer
    assert reply_limit.claim(ObjectId(), CONTACT, 5)  # the same contact on another account
    clock.advance(timedelta(minutes=4, seconds=59))
    assert not reply_limit.claim(ACCOUNT, CONTACT, 5)
    clock.advance(timedelta(seconds=1))
    assert reply_limit.claim(ACCOUNT, CONTACT, 5)
    reply_limit.release(ACCOUNT, CONTACT)  # the message it was for did not go
    assert reply_limit.claim(ACCOUNT, CONTACT, 5)


def test_the_limit_expires_in_redis(app):
    from app import queues

    reply_limit.claim(ACCOUNT, CONTACT, 5)
    assert 295 <= queues.get_redis().ttl(reply_limit.key(ACCOUNT, CONTACT)) <= 300


def _waiting(queue_id, created, **fields):
    doc = {"status": "queued", "is_open": True, "queue_id": queue_id, "created_at": created, "account_id": ACCOUNT,
           "contact_id": ObjectId(), **fields}
    doc["_id"] = get_db().interactions.insert_one(doc).inserted_id
    return doc


def test_the_position_counts_who_entered_the_queue_first(app):
    queue_id, other_queue = ObjectId(), ObjectId()
    first = _waiting(queue_id, MONDAY_9)
    reopened = _waiting(queue_id, MONDAY_9 - timedelta(days=3), reopened_at=MONDAY_9 + timedelta(minutes=1))
    requeued = _waiting(queue_id, MONDAY_9 - timedelta(days=1), queued_at=MONDAY_9 + timedelta(minutes=2))
    _waiting(other_queue, MONDAY_9 - timedelta(hours=1))
    get_db().interactions.insert_one({"status": "open", "queue_id": queue_id, "created_at": MONDAY_9 - timedelta(hours=2)})
    assert [waiting_estimate.position(doc) for doc in (first, reopened, requeued)] == [1, 2, 3]


def test_the_typical_wait_is_the_median_of_the_latest_accepted(app):
    queue_id = ObjectId()
    assert waiting_estimate.typical_wait(queue_id) is None
    for minutes in (1, 3, 10):
        get_db().interactions.insert_one({"queue_id": queue_id, "created_at": MONDAY_9,
                                          "accepted_at": MONDAY_9 + timedelta(minutes=minutes)})
    get_db().interactions.insert_one({"queue_id": queue_id, "created_at": MONDAY_9, "accepted_at": None})
    assert waiting_estimate.typical_wait(queue_id) == 180
    assert waiting_estimate.estimated_wait(180, 3, 2) == 270  # three customers' waits shared by two agents
    assert waiting_estimate.estimated_wait(180, 2, 0) == 360  # nobody online: one agent's pace
    assert waiting_estimate.estimated_wait(None, 2, 1) is None


def test_a_wait_in_words():
    assert waiting_estimate.human(None) == "a few minutes"
    assert waiting_estimate.human(20) == "less than a minute"
    assert waiting_estimate.human(75) == "about a minute"
    assert waiting_estimate.human(290) == "about 5 minutes"
    assert waiting_estimate.human(59 * 60) == "about 59 minutes"
    assert waiting_estimate.human(3600) == "about an hour"
    assert waiting_estimate.human(2.6 * 3600) == "about 3 hours"
