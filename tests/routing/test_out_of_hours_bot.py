"""Out-of-hours conversations handed to the account's AI assistant (the fake OpenAI-compatible
endpoint): the assistant answers while the queue is closed, and hands the conversation to the queue
at the customer's first message after the opening."""

from datetime import timedelta

from app.services import clock
from app.services.setup import queue_admin
from tests.assistant.support import bot_account, bot_messages, customer_sends, fresh, interaction_of
from tests.routing.support import MONDAY_9, SATURDAY_10, WEEKDAYS_9_TO_17, automatic
from tests.support.engine import live_events
from tests.support.jobs import run_inbound

WORKERS = ("inbound", "assistant", "outbound")


def closed_queue_to_bot(fake_chat, runs="out_of_hours", to_bot=True):
    account, agent = bot_account(fake_chat, runs=runs)
    queue_admin.update_queue(str(account["queue_id"]), {"hours": {
        "enabled": True, "timezone": "UTC", "weekly": WEEKDAYS_9_TO_17, "out_of_hours_message": "We are closed.",
        "out_of_hours_to_bot": to_bot}})
    return account


def writes(app, client, account, text):
    customer_sends(client, account, text, timestamp=int(clock.now().timestamp()))
    run_inbound(app, WORKERS)
    return interaction_of(account)


def test_the_assistant_answers_out_of_hours_and_hands_over_when_the_queue_opens(app, client, fake_chat):
    account = closed_queue_to_bot(fake_chat)
    clock.freeze(SATURDAY_10)
    interaction = writes(app, client, account, "Hi, my bike is broken")
    assert interaction["status"] == "bot"
    assert [(m["text"], m["status"]) for m in bot_messages(interaction)] == [("Hello! How can I help?", "sent")]
    assert automatic(interaction) == [] and live_events(interaction["_id"], "offer") == []

    clock.freeze(MONDAY_9 + timedelta(minutes=5))
    writes(app, client, account, "Are you there?")
    doc = fresh(interaction)
    assert doc["status"] == "queued" and doc["handoff"]["trigger"] == "hours"
    assert doc["handoff"]["reason"] == "The queue's business hours began."
    assert len(fake_chat.requests) == 1  # not asked again once the queue opened
    assert len(live_events(interaction["_id"], "offer")) == 1


def test_inside_hours_an_out_of_hours_assistant_leaves_conversations_to_the_queue(app, client, fake_chat):
    account = closed_queue_to_bot(fake_chat)
    clock.freeze(MONDAY_9 + timedelta(hours=2))
    interaction = writes(app, client, account, "Hi")
    assert interaction["status"] == "queued" and fake_chat.requests == []
    assert len(live_events(interaction["_id"], "offer")) == 1


def test_without_the_queues_hand_off_the_customer_waits_for_the_opening(app, client, fake_chat):
    account = closed_queue_to_bot(fake_chat, runs="out_of_hours", to_bot=False)
    clock.freeze(SATURDAY_10)
    interaction = writes(app, client, account, "Hi")
    assert interaction["status"] == "queued" and fake_chat.requests == []
    assert automatic(interaction) == [("We are closed.", "sent")]
