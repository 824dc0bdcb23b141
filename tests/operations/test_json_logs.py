"""Production's log lines: one JSON object each, naming the request, account, interaction and job
they are about, never a secret nor what a customer or an agent wrote."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.db import get_db
from app.observability import logs
from app.services.conversations import outbound, routing
from tests.fakes.provider_server import FakeResponse
from tests.providers.support import read_bytes
from tests.support.builders import make_user
from tests.support.engine import stored_message
from tests.support.sockets import wait_for
from tests.webhooks.support import PNID, make_account, path_of, signed

from .support import TOKEN, scrape

ROOT = Path(__file__).resolve().parents[2]

APP_SECRET = "app-secret-7c1d9e42f0"
ACCESS_TOKEN = "access-token-5b8e2a61c3"
CUSTOMER_TEXT = "Does it come in another color?"  # the fixture's message
AGENT_TEXT = "Yes, in teal 4f7a: shall I reserve one?"


@pytest.fixture
def config(config):
    config.PARLEY_METRICS_TOKEN = TOKEN
    return config


@pytest.fixture
def json_lines(tmp_path):
    """Every line logged during the test, at any level, in production's JSON format."""
    path = tmp_path / "log.jsonl"
    root = logging.getLogger()
    with path.open("w") as stream:
        handler = logs.handler(stream, json_lines=True)
        level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            yield lambda: path.read_text()
        finally:
            root.setLevel(level)
            root.removeHandler(handler)


def _ok(message_id):
    return FakeResponse(json={"messaging_product": "whatsapp", "contacts": [{"input": "15550001111", "wa_id": "15550001111"}],
                              "messages": [{"id": message_id}]})


def test_a_webhook_and_a_send_log_ids_never_secrets_nor_message_text(app, client, live_server, fake_provider, json_lines):
    agent = make_user("agent")
    account = make_account("meta", api_base=fake_provider.url + "/v23.0", app_secret=APP_SECRET, access_token=ACCESS_TOKEN)
    get_db().queues.update_one({"_id": account["queue_id"]}, {"$push": {"agent_ids": agent["_id"]}})
    headers, body = signed(account, read_bytes("meta/inbound_text.json"))
    assert CUSTOMER_TEXT.encode() in body
    response = client.post(path_of(account), data=body, headers={**headers, "X-Request-Id": "req-webhook-1"})
    assert response.status_code == 200 and response.headers["X-Request-Id"] == "req-webhook-1"
    # A delivery whose event is refused (a text without text) is logged, in the request.
    empty = body.replace(CUSTOMER_TEXT.encode(), b"")
    empty_headers, _ = signed(account, empty)
    refused = client.post(path_of(account), data=empty, headers={**empty_headers, "X-Request-Id": "req-webhook-2"})
    assert refused.status_code == 200
    interaction = wait_for(lambda: get_db().interactions.find_one({"account_id": account["_id"]}))
    routing.accept(agent, interaction["_id"])
    fake_provider.script("POST", f"/v23.0/{PNID}/messages", _ok("wamid.OUT.LOG"))
    message, _ = outbound.compose(agent, interaction["_id"], {"kind": "text", "text": AGENT_TEXT})
    assert wait_for(lambda: stored_message(interaction["_id"], message["id"])["status"] == "sent", timeout=20)
    assert fake_provider.requests_to(f"/v23.0/{PNID}/messages", "POST")[0].json["text"]["body"] == AGENT_TEXT
    scrape(client)  # the metrics token is a secret too

    output = json_lines()
    lines = [json.loads(line) for line in output.splitlines()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    for secret in (APP_SECRET, ACCESS_TOKEN, TOKEN, CUSTOMER_TEXT, AGENT_TEXT, "another color", "teal 4f7a"):
        assert secret not in output, f"{secret!r} was logged"

    [refused] = [line for line in lines if "refused as malformed" in line["message"]]
    assert refused["request_id"] == "req-webhook-2" and refused["account"] == str(account["_id"])
    assert refused["level"] == "WARNING" and refused["time"].endswith("Z")
    [sent] = [line for line in lines if line["message"] == "send_message: sent"]
    assert sent["job_id"] == f"send-{message['id']}-1" and sent["interaction"] == str(interaction["_id"])
    assert sent["logger"] == "workers.outbound" and "request_id" not in sent


def test_a_request_gets_an_id_when_it_brings_none_or_a_strange_one(client):
    generated = client.get("/healthz").headers["X-Request-Id"]
    assert len(generated) == 32 and int(generated, 16) >= 0
    assert client.get("/healthz", headers={"X-Request-Id": "lb-7f3e.01"}).headers["X-Request-Id"] == "lb-7f3e.01"
    strange = client.get("/healthz", headers={"X-Request-Id": "a b<script>" + "x" * 200}).headers["X-Request-Id"]
    assert len(strange) == 32 and " " not in strange


def test_an_exception_is_one_json_line_with_its_traceback(json_lines):
    try:
        raise ValueError("broken on purpose")
    except ValueError:
        with logs.bound(request_id="req-9", account="acc-1"):
            logging.getLogger("app.tests").exception("it failed")
    [line] = [json.loads(text) for text in json_lines().splitlines() if "it failed" in text]
    assert line["request_id"] == "req-9" and line["account"] == "acc-1" and "interaction" not in line
    assert "ValueError: broken on purpose" in line["exception"] and line["level"] == "ERROR"


def test_the_cron_process_logs_json_lines_too(redis_url):
    env = {**os.environ, "PARLEY_CONFIG": "testing", "PARLEY_LOG_FORMAT": "json", "REDIS_URL": redis_url}
    rq = Path(sys.executable).with_name("rq")
    process = subprocess.Popen([str(rq), "cron", "workers/cron.py", "--url", redis_url], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output = []
        for line in process.stdout:
            output.append(line)
            if "Successfully registered" in line:
                break
    finally:
        process.kill()
        process.wait()
    # RQ's first line ("Loading cron configuration…") comes before workers/cron.py is read; every later one is JSON.
    lines = [json.loads(line) for line in output[1:]]
    assert lines and all(line["logger"] == "rq.cron" and line["level"] == "INFO" for line in lines), output
    assert "Successfully registered" in lines[-1]["message"]
