"""A lost answer job is queued again by the reconciler; a burst of messages within the debounce gets one answer."""

import json
from datetime import timedelta

from rq.job import Job

from app import jobs, queues
from app.providers import sandbox
from app.services import clock
from app.services.assistant import recovery, settings
from tests.assistant.support import CUSTOMER, bot_account, bot_messages, customer_sends, fresh, interaction_of
from tests.assistant.test_flow import sent
from tests.fakes.chat_completions import completion
from tests.support.jobs import run_inbound
from tests.webhooks.support import path_of, signed


def test_the_reconciler_queues_a_lost_answer_again(app, client, fake_chat):
    account, _ = bot_account(fake_chat)
    customer_sends(client, account, "Hello")
    run_inbound(app)
    interaction = interaction_of(account)
    [queued] = queues.get_queue("assistant").get_jobs()
    message_id = queued.kwargs["message_id"]
    queued.delete()  # lost: Redis emptied, or a worker died with it
    later = clock.now() + timedelta(seconds=1)
    assert recovery.requeue_answers(later) == 1
    assert recovery.requeue_answers(later) == 0  # its job waits now
    assert Job.fetch(jobs.ANSWER_CUSTOMER.job_id({"message_id": message_id}), connection=queues.get_redis())
    run_inbound(app, ("assistant", "outbound"))
    assert [m["text"] for m in bot_messages(interaction)] == ["Hello! How can I help?"]
    assert fresh(interaction)["assistant"]["answered"] == message_id
    assert recovery.requeue_answers(clock.now() + timedelta(seconds=1)) == 0  # answered: nothing to do


def test_quick_messages_within_the_debounce_get_one_answer(live_server, client, fake_chat):
    settings.configure(timeout=1, debounce=2)
    account, _ = bot_account(fake_chat)
    fake_chat.always(completion("One answer to all three."))
    events = [sandbox.build_inbound(CUSTOMER, "text", text=text) for text in ("Hi", "I need", "a bike")]
    headers, body = signed(account, json.dumps({"events": events}).encode())
    assert client.post(path_of(account), data=body, headers=headers).status_code == 200
    interaction = interaction_of(account)
    [answer] = sent(interaction, 1)
    assert answer["text"] == "One answer to all three."
    assert len(fake_chat.requests) == 1
    assert [m["content"] for m in fake_chat.requests[0]["messages"][1:]] == ["Hi", "I need", "a bike"]
