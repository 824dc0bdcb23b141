"""Outside business hours: the customer gets the out-of-hours reply (at most one in N minutes), agents
see why the interaction waits, and it is offered once the queue opens (the periodic job, run by a real
RQ worker)."""

from datetime import timedelta

from app import jobs
from app.services import clock
from tests.routing.support import MONDAY_9, SATURDAY_10, automatic, customer_writes, system_lines, waiting_queue
from tests.support.builders import make_user
from tests.support.engine import live_events
from tests.support.jobs import run_inbound

CLOSED = "We are closed. We answer on weekdays from 9 to 17."
CUSTOMER = "+447700900555"


def run_periodic(app):
    jobs.enqueue(jobs.DISPATCH_OPENED_QUEUES)
    run_inbound(app, ("maintenance",))


def test_a_customer_writing_outside_hours_waits_told_once_in_n_minutes(app, client):
    alice = make_user("agent", name="Alice")
    queue, account = waiting_queue([alice], hours={"out_of_hours_message": CLOSED}, received=True, every_minutes=5)
    clock.freeze(SATURDAY_10)
    interaction = customer_writes(client, account, CUSTOMER, "Hello, is anyone there?")
    assert interaction["status"] == "queued"
    assert automatic(interaction) == [(CLOSED, "sent")]  # the out-of-hours reply, not "we received your message"
    assert system_lines(interaction) == ["Received outside business hours; the queue opens Monday 9 March 09:00 (UTC)."]
    assert live_events(interaction["_id"], "offer") == []

    clock.advance(timedelta(minutes=2))
    customer_writes(client, account, CUSTOMER, "Hello??")
    clock.advance(timedelta(minutes=2, seconds=59))  # 4:59 after the reply
    customer_writes(client, account, CUSTOMER, "Anyone?")
    assert automatic(interaction) == [(CLOSED, "sent")]
    clock.advance(timedelta(seconds=1))  # 5 minutes after it
    customer_writes(client, account, CUSTOMER, "Still waiting")
    assert automatic(interaction) == [(CLOSED, "sent"), (CLOSED, "sent")]
    assert len(system_lines(interaction)) == 1  # agents are told once why it waits
    assert live_events(interaction["_id"], "offer") == []

    run_periodic(app)  # still closed: nothing offered
    assert live_events(interaction["_id"], "offer") == []
    clock.freeze(MONDAY_9 + timedelta(seconds=30))
    run_periodic(app)
    [offer] = live_events(interaction["_id"], "offer")
    assert offer["interaction"]["id"] == str(interaction["_id"]) and offer["interaction"]["status"] == "queued"
    run_periodic(app)  # it opened once
    assert len(live_events(interaction["_id"], "offer")) == 1


def test_inside_hours_the_interaction_is_offered_at_once(app, client):
    queue, account = waiting_queue([make_user("agent")], hours={"out_of_hours_message": CLOSED})
    clock.freeze(MONDAY_9 + timedelta(hours=1))
    interaction = customer_writes(client, account, CUSTOMER)
    assert len(live_events(interaction["_id"], "offer")) == 1
    assert automatic(interaction) == [] and system_lines(interaction) == []


def test_a_holiday_keeps_the_queue_closed_all_day(app, client):
    queue, account = waiting_queue([make_user("agent")], hours={"out_of_hours_message": CLOSED,
                                                                 "holidays": [{"date": "2026-03-09", "name": "Closed"}]})
    clock.freeze(MONDAY_9 + timedelta(hours=1))
    interaction = customer_writes(client, account, CUSTOMER)
    assert automatic(interaction) == [(CLOSED, "sent")]
    assert system_lines(interaction) == ["Received outside business hours; the queue opens Tuesday 10 March 09:00 (UTC)."]
    assert live_events(interaction["_id"], "offer") == []
