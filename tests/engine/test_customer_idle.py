"""A queue's inactivity rule, on a controlled clock: a customer who stops answering gets the nudge once
(inside the 24-hour window), then the interaction closes with the disposition Timeout; a customer whose
message waits for an answer is left alone, and a new customer message starts the count again."""

from datetime import timedelta

import pytest

from app.db import get_db
from app.services import clock
from app.services.conversations import inbound, outbound
from app.services.routing import customer_idle, time_rules
from app.services.setup import queue_admin
from tests.engine.helpers import conversation, messages
from tests.support.engine import customer_says, live_events

PHONE = "+447700900123"
NUDGE = "Are you still there? This conversation will close soon if we don't hear from you."
NOTHING = {"nudged": 0, "closed": 0, "flagged": 0}


def minutes(n):
    clock.advance(timedelta(minutes=n))


def quiet_rule(team, **rule):
    queue_admin.update_queue(team["queue"]["_id"], {"inactivity": rule})


def customer(team, text):
    inbound.ingest(team["account"], customer_says(team["account"], PHONE, text, timestamp=int(clock.now().timestamp())))


def agent_answers(team, interaction, text="Anything else?"):
    outbound.compose(team["alice"], interaction["_id"], {"text": text})


def current(interaction):
    return get_db().interactions.find_one({"_id": interaction["_id"]})


def nudges(interaction):
    return [m for m in messages(interaction["_id"]) if m["author"] == "system" and m["kind"] == "text"]


@pytest.fixture
def answered(team):
    """Alice's interaction whose customer had an answer; the clock stands still from there."""
    clock.freeze()
    interaction = conversation(team, text="My parcel is late")
    agent_answers(team, interaction, "It arrives tomorrow. Anything else?")
    return interaction


def test_a_quiet_customer_is_nudged_once_then_the_interaction_closes_as_timeout(team, answered):
    quiet_rule(team, customer_idle_minutes=10, nudge_text=NUDGE, close_after_nudge_minutes=5)
    minutes(9)
    assert time_rules.check() == NOTHING
    minutes(1)
    assert time_rules.check() == {**NOTHING, "nudged": 1}
    [nudge] = nudges(answered)
    assert nudge["text"] == NUDGE and nudge["direction"] == "out" and nudge["status"] == "queued"
    assert [e["message"]["text"] for e in live_events(answered["_id"], "message")][-1] == NUDGE
    minutes(4)
    assert time_rules.check() == NOTHING  # nudged already: nothing twice
    assert len(nudges(answered)) == 1 and current(answered)["is_open"]

    minutes(1)
    assert time_rules.check() == {**NOTHING, "closed": 1}
    closed = current(answered)
    assert (closed["status"], closed["is_open"], closed["disposition"], closed["closed_by"]) == (
        "closed",
        False,
        "Timeout",
        "system",
    )
    assert messages(answered["_id"])[-1]["text"] == "Closed automatically: the customer did not answer for 15 minutes"
    assert live_events(answered["_id"], "closed")[0]["interaction"]["disposition"] == "Timeout"
    assert get_db().dispositions.find_one({"name": "Timeout"}) is not None
    minutes(60)
    assert time_rules.check() == NOTHING


def test_a_customer_whose_message_waits_for_an_answer_is_never_nudged_nor_closed(team):
    quiet_rule(team, customer_idle_minutes=10, nudge_text=NUDGE)
    clock.freeze()
    interaction = conversation(team, text="Hello?")
    minutes(120)
    assert time_rules.check() == NOTHING
    assert current(interaction)["is_open"] and nudges(interaction) == []


def test_the_idle_time_counts_from_the_customers_last_message_even_when_the_agent_wrote_later(team, answered):
    quiet_rule(team, customer_idle_minutes=10, nudge_text=NUDGE)
    minutes(8)
    agent_answers(team, answered, "Still there?")  # the customer stays the one who is quiet
    minutes(2)
    assert time_rules.check()["nudged"] == 1


def test_a_new_customer_message_starts_the_count_again(team, answered):
    quiet_rule(team, customer_idle_minutes=10, nudge_text=NUDGE, close_after_nudge_minutes=5)
    minutes(10)
    assert time_rules.check()["nudged"] == 1
    minutes(3)
    customer(team, "Yes, sorry, one more question")
    minutes(3)  # past the first nudge's closing time
    assert time_rules.check() == NOTHING  # waits for an answer
    agent_answers(team, answered, "Sure, go ahead")
    minutes(6)  # 9 minutes since the customer's new message
    assert time_rules.check() == NOTHING
    minutes(1)
    assert time_rules.check()["nudged"] == 1
    assert len(nudges(answered)) == 2
    minutes(5)
    assert time_rules.check()["closed"] == 1


def test_outside_the_window_there_is_no_nudge_but_the_interaction_still_closes(team, answered):
    quiet_rule(team, customer_idle_minutes=10, nudge_text=NUDGE)
    clock.advance(timedelta(hours=25))
    assert time_rules.check() == {**NOTHING, "closed": 1}
    assert nudges(answered) == []
    assert current(answered)["disposition"] == "Timeout"
    assert messages(answered["_id"])[-1]["text"] == "Closed automatically: the customer did not answer for 10 minutes"


def test_without_a_nudge_message_it_closes_at_the_idle_time(team, answered):
    quiet_rule(team, customer_idle_minutes=30)
    minutes(29)
    assert time_rules.check() == NOTHING
    minutes(1)
    assert time_rules.check() == {**NOTHING, "closed": 1}
    assert nudges(answered) == []


def test_a_queue_without_the_rule_closes_nothing(team, answered):
    minutes(24 * 60)
    assert time_rules.check() == NOTHING
    assert current(answered)["is_open"]


def test_a_waiting_interaction_the_business_wrote_last_in_counts_too(team, answered):
    """Transferred back to the queue after the agent's answer: nobody holds it, the customer is still quiet."""
    from app.services.conversations import lifecycle

    lifecycle.transfer(team["alice"], answered["_id"], to_queue_id=str(team["queue"]["_id"]))
    quiet_rule(team, customer_idle_minutes=10)
    minutes(10)
    assert time_rules.check()["closed"] == 1
    assert live_events(answered["_id"], "closed")[0]["interaction"]["status"] == "closed"


def test_a_new_customer_waiting_for_a_first_agent_is_never_closed_as_idle(team):
    """The automatic "you are number 3 in the queue" was the last message: the customer waits for us."""
    account = team["account"]
    inbound.ingest(account, customer_says(account, "+447700900999", "Hello?", timestamp=int(clock.now().timestamp())))
    waiting = get_db().interactions.find_one({"contact.phone": "+447700900999"})
    get_db().interactions.update_one({"_id": waiting["_id"]}, {"$set": {"last_message.direction": "out"}})
    quiet_rule(team, customer_idle_minutes=10)
    minutes(60)
    assert time_rules.check() == NOTHING
    assert current(waiting)["is_open"]


def test_two_runs_that_read_the_same_interaction_nudge_it_once(team, answered):
    """Two workers at once: each read the interaction before either wrote; only one nudge is stored."""
    quiet_rule(team, customer_idle_minutes=10, nudge_text=NUDGE, close_after_nudge_minutes=5)
    minutes(10)
    rule = queue_admin.get_queue(team["queue"]["_id"])["inactivity"]
    read = get_db().interactions.find_one({"_id": answered["_id"]}, customer_idle.FIELDS)
    assert [customer_idle._settle(read, rule, clock.now()) for _ in range(2)] == ["nudged", None]
    assert len(nudges(answered)) == 1
    minutes(5)
    read = get_db().interactions.find_one({"_id": answered["_id"]}, customer_idle.FIELDS)
    assert [customer_idle._settle(read, rule, clock.now()) for _ in range(2)] == ["closed", None]
    assert [m["text"] for m in messages(answered["_id"])].count(
        "Closed automatically: the customer did not answer for 15 minutes"
    ) == 1
