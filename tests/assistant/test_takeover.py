"""Agents and admins see bot-handled interactions (list filter, caption, Show page, ZIP) and take one over
with one click: the assistant stops at once, even in the middle of generating an answer."""

import io
import json
import re
import threading
import zipfile

from app.services.people import api_tokens
from tests.api.conftest import Api
from tests.assistant.support import bot_account, bot_messages, customer_sends, fresh, interaction_of, lines
from tests.assistant.test_flow import handed_over, sent
from tests.fakes.chat_completions import completion, failure
from tests.support.builders import make_user, sign_in
from tests.support.engine import live_events
from tests.support.sockets import wait_for


def api_of(client, user):
    return Api(client, api_tokens.create_token(user["_id"], "tests")[0])


def test_an_agent_takes_over_and_the_assistant_stops(live_server, client, fake_chat):
    account, alice = bot_account(fake_chat)
    customer_sends(client, account, "Hello")
    interaction = interaction_of(account)
    sent(interaction, 1)
    response = api_of(client, alice).post(f"/interactions/{interaction['_id']}/takeover")
    assert response.status_code == 200, response.get_json()
    taken = response.get_json()["interaction"]
    assert (taken["status"], taken["agent_id"]) == ("open", str(alice["_id"]))
    doc = fresh(interaction)
    assert doc["first_agent_id"] == alice["_id"] and doc["handoff"]["trigger"] == "takeover"
    assert lines(doc)[-1] == ("system", "Alice Agent took over from the assistant.", None)
    [assigned] = wait_for(lambda: live_events(interaction["_id"], "assigned"))
    assert assigned["agent"]["id"] == str(alice["_id"]) and assigned["message"]["text"].endswith("took over from the assistant.")
    customer_sends(client, account, "Thanks, are you a person?")
    wait_for(lambda: fresh(interaction)["message_count"] == 4)
    assert len(fake_chat.requests) == 1 and len(bot_messages(interaction)) == 1
    again = api_of(client, make_user("admin")).post(f"/interactions/{interaction['_id']}/takeover")
    assert again.status_code == 409 and again.get_json()["error"]["message"] == "Already assigned to Alice Agent."


def test_a_takeover_mid_generation_drops_the_answer(live_server, client, fake_chat):
    account, alice = bot_account(fake_chat)
    asked, release = threading.Event(), threading.Event()

    def slow(req):
        asked.set()
        release.wait(10)
        return completion("An answer nobody should get.")

    fake_chat.server.route("POST", "/v1/chat/completions", slow)
    customer_sends(client, account, "Hello")
    interaction = interaction_of(account)
    assert asked.wait(10)
    assert api_of(client, alice).post(f"/interactions/{interaction['_id']}/takeover").status_code == 200
    release.set()
    job_done = wait_for(lambda: live_server and _job_outcome(interaction))
    assert job_done == "taken-over"
    assert bot_messages(interaction) == [] and fresh(interaction)["status"] == "open"


def _job_outcome(interaction):
    from rq.job import Job

    from app import queues

    [message] = [m for m in lines_docs(interaction) if m.get("direction") == "in"][:1]
    job = Job.fetch(f"assistant-{message['id']}", connection=queues.get_redis())
    return job.meta.get("outcome")


def lines_docs(interaction):
    from app.services.conversations import message_store

    return message_store.all_of(interaction["_id"])


def test_a_handed_over_interaction_is_taken_by_accepting_it(live_server, client, fake_chat):
    account, alice = bot_account(fake_chat)
    fake_chat.always(failure(500, "down"))
    customer_sends(client, account, "Hello")
    interaction = handed_over(interaction_of(account))
    response = api_of(client, alice).post(f"/interactions/{interaction['_id']}/takeover")
    assert response.status_code == 200 and response.get_json()["interaction"]["status"] == "open"


def test_only_the_queues_agents_and_admins_take_over(live_server, client, fake_chat):
    account, _ = bot_account(fake_chat)
    customer_sends(client, account, "Hello")
    interaction = interaction_of(account)
    outsider = make_user("agent", name="Olga Outsider")
    response = api_of(client, outsider).post(f"/interactions/{interaction['_id']}/takeover")
    assert response.status_code in (403, 404)
    assert fresh(interaction)["status"] == "bot"
    assert api_of(client, outsider).post("/interactions/not-an-id/takeover").status_code in (400, 404)


def test_bot_interactions_in_the_list_show_page_and_zip(live_server, client, app, fake_chat):
    account, alice = bot_account(fake_chat)
    fake_chat.always(completion("We sell <b>bikes</b>."))
    customer_sends(client, account, "What do you sell?")
    interaction = interaction_of(account)
    sent(interaction, 1)
    customer_sends(client, account, "Hi", sender="+447700900999")
    other = interaction_of(account, "+447700900999")
    sent(other, 1)
    api = api_of(client, alice)
    listed = api.get("/interactions?status=bot").get_json()
    assert {row["id"] for row in listed["data"]} == {str(interaction["_id"]), str(other["_id"])}
    api.post(f"/interactions/{other['_id']}/takeover")
    assert [row["id"] for row in api.get("/interactions?status=bot").get_json()["data"]] == [str(interaction["_id"])]

    browser = app.test_client()
    sign_in(browser, alice["email"])
    page = browser.get("/interactions/?status=bot").get_data(as_text=True)
    assert re.search(r'data-testid="status">Bot<', page) and "+447700900999" not in page
    assert 'value="bot" selected' in page
    show = browser.get(f"/interactions/{interaction['_id']}").get_data(as_text=True)
    bot_bubble = r'class="msg msg-out msg-bot".*?<div class="msg-label">Bot</div>.*?We sell &lt;b&gt;bikes&lt;/b&gt;\.'
    assert re.search(bot_bubble, show, re.S)
    assert 'data-take="takeover"' in show and "Take over from the bot" in show
    archive = zipfile.ZipFile(io.BytesIO(browser.get(f"/interactions/{interaction['_id']}/export.zip").data))
    transcript = archive.read("transcript.html").decode()
    assert re.search(r'msg-bot.*?<div class="msg-label">Bot</div>', transcript, re.S)
    data = json.loads(archive.read("transcript.json"))
    messages = data["messages"] if isinstance(data, dict) else data
    assert [m["author"] for m in messages if m.get("direction") == "out"] == ["bot"]
