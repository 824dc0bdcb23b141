"""Automatic messages to customers waiting in an open queue: "we received your message", the
position with the estimated wait, "no agent is available"; inside the 24-hour window only, only
while the interaction waits, and at most one per customer every N minutes."""

from datetime import timedelta

from app.domain.shapes import DEFAULT_NO_AGENTS, DEFAULT_RECEIVED
from app.services import clock
from app.services.conversations import routing
from app.services.routing import waiting
from tests.routing.support import MONDAY_9, automatic, customer_writes, waiting_queue
from tests.support.builders import make_user
from tests.support.engine import stored_messages


def test_the_third_waiting_customer_is_told_their_place_and_the_wait(app, client):
    alice = make_user("agent", name="Alice")
    queue, account = waiting_queue([alice], position=True)
    clock.freeze(MONDAY_9)
    # History: three customers accepted after 2, 4 and 6 minutes of waiting: a typical wait of 4 minutes.
    for n, wait in enumerate((2, 4, 6)):
        earlier = customer_writes(client, account, f"+44770090010{n}")
        clock.advance(timedelta(minutes=wait))
        routing.accept(alice, earlier["_id"])
    waiting_now = []
    for n in range(3):
        clock.advance(timedelta(minutes=1))
        waiting_now.append(customer_writes(client, account, f"+44770090020{n}", "Hi, I need help"))
    # Nobody is online: one agent's pace is assumed.
    assert automatic(waiting_now[0]) == [("You are number 1 in the queue. Estimated wait: about 4 minutes.", "sent")]
    assert automatic(waiting_now[1]) == [("You are number 2 in the queue. Estimated wait: about 8 minutes.", "sent")]
    assert automatic(waiting_now[2]) == [("You are number 3 in the queue. Estimated wait: about 12 minutes.", "sent")]


def test_without_history_the_wait_is_a_few_minutes(app, client):
    queue, account = waiting_queue([make_user("agent")], position="Place {position}, wait {wait}.")
    interaction = customer_writes(client, account, "+447700900300")
    assert automatic(interaction) == [("Place 1, wait a few minutes.", "sent")]


def test_with_no_agent_online_the_customer_is_told_with_the_first_reply(app, client):
    queue, account = waiting_queue([make_user("agent")], received=True, no_agents=True)
    interaction = customer_writes(client, account, "+447700900400")
    assert automatic(interaction) == [(f"{DEFAULT_RECEIVED}\n\n{DEFAULT_NO_AGENTS}", "sent")]
    author = [m for m in stored_messages(interaction["_id"]) if m.get("automatic")][0]
    assert (author["author"], author["direction"]) == ("system", "out")


def test_a_later_message_gets_no_second_received_reply(app, client):
    queue, account = waiting_queue([make_user("agent")], received=True, every_minutes=1)
    interaction = customer_writes(client, account, "+447700900500")
    clock.advance(timedelta(minutes=2))
    customer_writes(client, account, "+447700900500", "Hello again")
    assert automatic(interaction) == [(DEFAULT_RECEIVED, "sent")]


def test_nothing_goes_outside_the_24_hour_window(app, client):
    queue, account = waiting_queue([make_user("agent")], received=True, no_agents=True, position=True)
    interaction = customer_writes(client, account, "+447700900600", "Sent yesterday",
                                  timestamp=clock.now() - timedelta(hours=25))  # a delivery that came late
    assert interaction["window_expired"] and interaction["status"] == "queued"
    assert automatic(interaction) == []
    assert waiting.customer_wrote(interaction["_id"], "created") == "window-closed"


def test_nothing_goes_once_an_agent_accepted_the_interaction(app, client):
    alice = make_user("agent", name="Alice")
    queue, account = waiting_queue([alice], position=True, every_minutes=1)
    interaction = customer_writes(client, account, "+447700900700")
    routing.accept(alice, interaction["_id"])
    clock.advance(timedelta(minutes=2))
    customer_writes(client, account, "+447700900700", "Thanks")
    assert waiting.customer_wrote(interaction["_id"], "appended") == "not-waiting"
    assert len(automatic(interaction)) == 1  # the one sent while it waited

