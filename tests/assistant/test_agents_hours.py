"""The assistant "outside agents' hours": it takes a new conversation only while none of the account
queue's agents is online (a real Socket.IO connection makes one online); otherwise the interaction is
offered as usual, and a conversation it already has goes to the queue before its next answer."""

from app.realtime.push import online_user_ids
from tests.assistant.support import bot_account, bot_messages, customer_sends, fresh, interaction_of
from tests.fakes.chat_completions import completion
from tests.support.engine import live_events
from tests.support.sockets import connect_as, wait_for


def test_with_nobody_online_the_assistant_answers(live_server, client, fake_chat):
    account, agent = bot_account(fake_chat, runs="no_agents_online")
    fake_chat.always(completion("Hello! How can I help?"))
    assert str(agent["_id"]) not in online_user_ids()
    customer_sends(client, account, "Hi there")
    interaction = interaction_of(account)
    assert interaction["status"] == "bot"
    [answer] = wait_for(lambda: [m for m in bot_messages(interaction) if m["status"] == "sent"])
    assert answer["text"] == "Hello! How can I help?" and fresh(interaction)["status"] == "bot"
    assert live_events(interaction["_id"], "offer") == []


def test_with_an_agent_online_the_interaction_is_offered_as_usual(live_server, client, fake_chat):
    account, agent = bot_account(fake_chat, runs="no_agents_online")
    socket = connect_as(live_server, agent["email"])
    try:
        assert wait_for(lambda: str(agent["_id"]) in online_user_ids())
        customer_sends(client, account, "Hi there")
        interaction = interaction_of(account)
        assert interaction["status"] == "queued" and "assistant" not in interaction
        [offer] = socket.wait_for_event("offer")
        assert offer["interaction"]["id"] == str(interaction["_id"]) and offer["interaction"]["status"] == "queued"
        assert bot_messages(interaction) == [] and fake_chat.requests == []
    finally:
        socket.disconnect()


def test_an_agent_coming_online_takes_the_assistants_conversation_at_its_next_message(live_server, client, fake_chat):
    account, agent = bot_account(fake_chat, runs="no_agents_online")
    fake_chat.always(completion("Hello!"))
    customer_sends(client, account, "Hi there")
    interaction = interaction_of(account)
    wait_for(lambda: [m for m in bot_messages(interaction) if m["status"] == "sent"])
    socket = connect_as(live_server, agent["email"])
    try:
        customer_sends(client, account, "Are you still there?")
        doc = wait_for(lambda: (d := fresh(interaction))["status"] == "queued" and d)
        assert doc["handoff"]["trigger"] == "agents" and doc["handoff"]["reason"] == "An agent of the queue is online."
        assert socket.wait_for_event("offer") and len(fake_chat.requests) == 1
    finally:
        socket.disconnect()
