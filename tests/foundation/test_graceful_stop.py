"""SIGTERM stops Parley's processes gracefully: the web process's embedded worker finishes the
send in hand, which ends recorded, and the process exits 0; a worker process finishes the job in
hand and exits 0. (A worker process killed mid-job: tests/engine/test_stuck_work.py.)"""

import signal

import pytest
import requests

from app import queues
from app.providers.meta import meta_signature
from app.services.demo import DEMO_PASSWORD
from tests.engine.test_meta_flow import sent_ok
from tests.providers.support import CREDENTIALS, read_bytes
from tests.support import blocking_job, processes
from tests.support.http import RequestInProgress, api_caller, signed_in_session
from tests.support.sockets import wait_for
from tools.devstack import RedisServer

MESSAGES = f"/v23.0/{CREDENTIALS['meta']['phone_number_id']}/messages"


@pytest.fixture(params=["eventlet", "gevent"])
def server(request, tmp_path):
    with RedisServer() as redis_server:
        running = processes.WebProcess(tmp_path, request.param, redis_server.url)
        try:
            assert wait_for(running.up, timeout=60), running.log
            yield running
        finally:
            running.kill()


def _customer_writes_to_a_meta_account(server, fake_provider):
    """An admin's API session and the interaction a customer's signed Meta webhook opened."""
    api = api_caller(signed_in_session(server.url, "admin@parley.example", DEMO_PASSWORD), server.url)
    queue = api("POST", "/queues", {"name": "Shop"}).json()
    created = api(
        "POST",
        "/accounts",
        {
            "name": "Meta shop",
            "provider": "meta",
            "phone": "+15550007000",
            "queue_id": queue["id"],
            "api_base": f"{fake_provider.url}/v23.0",
            "credentials": CREDENTIALS["meta"],
        },
    )
    assert created.status_code == 201, created.text
    account = created.json()
    body = read_bytes("meta/inbound_text.json")
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(body, CREDENTIALS["meta"]["app_secret"])}
    webhook = requests.post(f"{server.url}/webhooks/whatsapp/{account['webhook_key']}", data=body, headers=headers, timeout=10)
    assert webhook.status_code == 200, webhook.text

    def opened():  # the embedded worker applies the accepted webhook
        return api("GET", f"/interactions?account_id={account['id']}").json()["data"]

    assert wait_for(opened), server.log
    [interaction] = opened()
    return api, interaction


def test_sigterm_lets_the_send_in_hand_finish_then_exits_0(server, fake_provider):
    api, interaction = _customer_writes_to_a_meta_account(server, fake_provider)
    release = fake_provider.hang("POST", MESSAGES, sent_ok("wamid.OUT-before-stop"))
    sent = api("POST", f"/interactions/{interaction['id']}/messages", {"text": "Sending now", "client_id": "client-stop-1"})
    assert sent.status_code in (200, 201), sent.text
    message_id = sent.json()["message"]["id"]
    assert wait_for(lambda: fake_provider.requests_to(MESSAGES)), server.log

    server.process.send_signal(signal.SIGTERM)
    assert wait_for(lambda: "SIGTERM: waiting" in server.log), server.log
    assert server.process.poll() is None, "the process waits for the send in hand"
    release.set()
    assert server.process.wait(60) == 0, server.log
    assert f"[job send-{message_id}-1] send_message: sent" in server.log
    assert "SIGTERM: workers stopped; exiting" in server.log
    assert len(fake_provider.requests_to(MESSAGES)) == 1
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/healthz", timeout=1)


def test_sigterm_with_nothing_running_exits_0_at_once(server):
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(60) == 0, server.log
    assert "SIGTERM: workers stopped; exiting" in server.log


def test_sigterm_lets_a_worker_process_finish_the_job_in_hand_then_exits_0(app, worker_process):
    redis = queues.get_redis()
    job = queues.get_queue("outbound").enqueue(blocking_job.FUNC, job_id="job-in-hand")
    worker = worker_process("outbound")
    assert wait_for(lambda: blocking_job.records(redis) == ["started job-in-hand"], timeout=60), worker.log

    worker.process.send_signal(signal.SIGTERM)
    assert wait_for(lambda: "warm shut down requested" in worker.log), worker.log
    assert worker.process.poll() is None, "the worker waits for the job in hand"
    blocking_job.release(redis, job.id)
    assert worker.process.wait(60) == 0, worker.log
    assert blocking_job.records(redis) == ["started job-in-hand", "finished job-in-hand"]
    assert job.get_status() == "finished" and job.return_value() == "released"


def test_sigterm_cuts_a_request_still_in_progress_after_the_grace_then_exits_0(tmp_path):
    with RedisServer() as redis_server:
        server = processes.WebProcess(tmp_path, "gevent", redis_server.url, PARLEY_STOP_GRACE_SECONDS="2")
        try:
            assert wait_for(server.up, timeout=60), server.log
            body = b"email=someone%40parley.example&password=never-sent-whole"
            stuck = RequestInProgress(server.port, "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
            assert stuck.started(), server.log  # the client never sends the body

            server.process.send_signal(signal.SIGTERM)
            assert server.process.wait(30) == 0, server.log
            assert "SIGTERM: 1 requests still in progress at the end of the grace were cut" in server.log
            assert "; exiting" in server.log  # (a periodic job in hand may have used the rest of the grace)
        finally:
            server.kill()
