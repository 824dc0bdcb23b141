"""/metrics: its token, and its figures after real webhooks, drains, sends to the fake provider,
sockets and presence changes. Counters of this process grow across the tests that share it, so
each test compares a scrape with the one before."""

import pytest

from app import create_app, jobs
from app.db import get_db
from app.services.conversations import outbound
from app.services.routing import presence
from tests.fakes.provider_server import FakeResponse
from tests.providers.support import CREDENTIALS, read_bytes
from tests.support.builders import make_user
from tests.support.engine import stored_message
from tests.support.jobs import run_inbound
from tests.support.sockets import connect_as, wait_for
from tests.webhooks.support import PNID, make_account, path_of, signed

from .support import AUTH, TOKEN, counted, scrape, value

SEND_PATH = f"/v23.0/{PNID}/messages"


@pytest.fixture
def config(config):
    config.PARLEY_METRICS_TOKEN = TOKEN
    return config


def test_metrics_answer_only_the_bearer_of_the_token(client, config):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong-token"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 404
    assert client.get("/metrics", headers=AUTH).status_code == 200

    config.PARLEY_METRICS_TOKEN = None  # no token set: the endpoint is off, whatever is sent
    off = create_app(config).test_client()
    assert off.get("/metrics", headers=AUTH).status_code == 404
    assert off.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def _delta(before, after, name, **labels):
    return counted(after, name, **labels) - counted(before, name, **labels)


def test_webhooks_counted_by_provider_and_outcome_then_the_backlog_drains(app, client):
    account = make_account("meta")
    body = read_bytes("meta/inbound_text.json")
    headers, _ = signed(account, body)
    before = scrape(client)

    assert client.post(path_of(account), data=body, headers=headers).status_code == 200
    forged = {**headers, "X-Hub-Signature-256": "sha256=" + "0" * 64}
    assert client.post(path_of(account), data=body, headers=forged).status_code == 403
    truncated_headers, truncated = signed(account, body[:40])
    assert client.post(path_of(account), data=truncated, headers=truncated_headers).status_code == 400
    assert client.post("/webhooks/whatsapp/no-such-key", data=body, headers=headers).status_code == 404
    handshake = {"hub.mode": "subscribe", "hub.verify_token": CREDENTIALS["meta"]["verify_token"], "hub.challenge": "7"}
    assert client.get(path_of(account), query_string=handshake).get_data(as_text=True) == "7"

    waiting = scrape(client)
    for outcome in ("accepted", "bad_signature", "malformed", "handshake"):
        assert _delta(before, waiting, "parley_webhooks_total", provider="meta", outcome=outcome) == 1, outcome
        assert _delta(before, waiting, "parley_webhook_duration_seconds_count", provider="meta", outcome=outcome) == 1
    assert _delta(before, waiting, "parley_webhooks_total", provider="unknown", outcome="unknown_key") == 1
    # No worker runs in this test: the accepted event waits, its drain job queued.
    assert value(waiting, "parley_inbox_backlog_events") == 1
    assert value(waiting, "parley_inbox_lag_seconds") >= 0
    assert value(waiting, "parley_queue_jobs", queue="inbound", state="queued") == 1
    assert value(waiting, "parley_workers", queue="inbound") == 0
    assert all(value(waiting, "parley_scrape_part_up", part=part) == 1 for part in ("queues", "inbox", "workers", "agents"))

    run_inbound(app)
    assert client.post(path_of(account), data=body, headers=headers).status_code == 200  # the provider delivers again
    run_inbound(app)
    drained = scrape(client)
    assert value(drained, "parley_inbox_backlog_events") == 0 and value(drained, "parley_inbox_lag_seconds") == 0
    assert value(drained, "parley_inbound_events_total", outcome="stored") == 1
    assert value(drained, "parley_inbound_events_total", outcome="duplicate") == 1
    assert value(drained, "parley_queue_jobs", queue="inbound", state="queued") == 0


def test_scheduled_jobs_and_agents_by_presence(app, client):
    online, paused, offline = make_user("agent"), make_user("agent"), make_user("agent")
    make_user("agent", active=False)  # inactive agents are not counted
    presence.set_state(online["_id"], presence.ONLINE)
    presence.set_state(paused["_id"], presence.PAUSED, "Lunch")
    presence.set_state(offline["_id"], presence.OFFLINE)
    jobs.enqueue(jobs.RECORD_PROBE, delay=3600, probe_id="later")

    samples = scrape(client)
    assert value(samples, "parley_queue_jobs", queue="inbound", state="scheduled") == 1
    assert value(samples, "parley_agents", state="paused") == 1
    # An agent with no socket and no record reads Offline; Online is what the agent chose.
    assert value(samples, "parley_agents", state="online") == 1
    assert value(samples, "parley_agents", state="offline") == 1


def _ok(message_id):
    return FakeResponse(json={"messaging_product": "whatsapp", "contacts": [{"input": "15550001111", "wa_id": "15550001111"}],
                              "messages": [{"id": message_id}]})


def test_sends_by_provider_outcome_and_code_and_this_process_sockets(app, client, live_server, fake_provider):
    from app.services.conversations import routing

    agent = make_user("agent")
    account = make_account("meta", api_base=fake_provider.url + "/v23.0")
    get_db().queues.update_one({"_id": account["queue_id"]}, {"$push": {"agent_ids": agent["_id"]}})
    headers, body = signed(account, read_bytes("meta/inbound_text.json"))
    assert client.post(path_of(account), data=body, headers=headers).status_code == 200
    interaction = wait_for(lambda: get_db().interactions.find_one({"account_id": account["_id"]}))
    routing.accept(agent, interaction["_id"])
    before = scrape(client)

    socket = connect_as(live_server, agent["email"])
    try:
        assert wait_for(lambda: _delta(before, scrape(client), "parley_sockets_connected") == 1)
        fake_provider.script(
            "POST", SEND_PATH,
            FakeResponse(429, {"error": {"message": "slow down", "code": 130429}}, headers={"Retry-After": "1"}),
            _ok("wamid.OUT.1"),
            FakeResponse(400, {"error": {"message": "(#131047) Re-engagement message", "code": 131047}}),
        )
        first, _ = outbound.compose(agent, interaction["_id"], {"kind": "text", "text": "Thanks for waiting"})
        assert wait_for(lambda: stored_message(interaction["_id"], first["id"])["status"] == "sent", timeout=20)
        second, _ = outbound.compose(agent, interaction["_id"], {"kind": "text", "text": "Are you still there?"})
        assert wait_for(lambda: stored_message(interaction["_id"], second["id"])["status"] == "failed", timeout=20)
    finally:
        socket.disconnect()

    after = scrape(client)
    assert value(after, "parley_sends_total", provider="meta", kind="message", outcome="retried", code="130429") == 1
    assert value(after, "parley_sends_total", provider="meta", kind="message", outcome="sent", code="") == 1
    assert value(after, "parley_sends_total", provider="meta", kind="message", outcome="failed", code="131047") == 1
    assert value(after, "parley_workers", queue="outbound") == 2  # the embedded worker's two outbound threads
    assert wait_for(lambda: _delta(before, scrape(client), "parley_sockets_connected") == 0)


def test_with_redis_down_the_scrape_still_answers_and_names_what_it_could_not_read(app, client):
    from app import queues
    from tools.devstack import free_port

    queues.configure(f"redis://127.0.0.1:{free_port()}")
    try:
        samples = scrape(client)
    finally:
        queues.configure(app.config["REDIS_URL"])
    for part in ("queues", "inbox", "workers", "shared_counters"):
        assert value(samples, "parley_scrape_part_up", part=part) == 0, part
    assert value(samples, "parley_scrape_part_up", part="agents") == 1
    assert not any(name.startswith("parley_sends_total") for name, _ in samples)
