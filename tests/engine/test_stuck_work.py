"""Nothing waits forever, nothing waits behind something else: queues served concurrently, a
send claimed before the provider call, and the reconciler queueing again what a failure left."""

import os
import signal
import threading
from datetime import timedelta

import pytest
from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.job import Job

from app import jobs, queues
from app.db import get_db
from app.providers.events import InboundMessage
from app.services import clock
from app.services.conversations import delivery, inbound, outbound, reconcile, routing
from tests.engine.helpers import message
from tests.engine.test_meta_flow import MESSAGES, meta_account, sent_ok
from tests.fakes.provider_server import FakeResponse
from tests.media.support import PNG
from tests.media.test_inbound_media import MEDIA_ID, _media_of, _post_image
from tests.support import processes
from tests.support.builders import make_user
from tests.support.engine import make_queue
from tests.support.sockets import wait_for
from tools.devstack import RedisServer

# A worker process sees the test's data only through a MongoDB server: the embedded one lives in this process.
server_only = pytest.mark.skipif(
    os.environ.get("MONGO_URI", "mongomock://").startswith("mongomock://"),
    reason="a separate worker process shares the database only through a MongoDB server (set MONGO_URI)",
)
IMAGE_CUSTOMER = "+15550001111"  # the one of the image fixture (meta/inbound_image.json)
OTHER_CUSTOMER = "+15550002222"


def run_jobs(*queue_names):
    """Run what waits in `queue_names` with a real RQ worker in this thread, then return."""
    SimpleWorker(list(queue_names), connection=queues.get_redis()).work(burst=True, logging_level="WARNING")


def _conversation(account, agent, sender=OTHER_CUSTOMER):
    event = InboundMessage(
        provider="meta",
        provider_message_id=f"wamid.IN{sender}",
        sender=sender,
        kind="text",
        timestamp=clock.now(),
        text="Where is my order?",
        profile_name="Sam",
    )
    inbound.ingest(account, [event])
    doc = get_db().interactions.find_one({"contact.phone": sender})
    return routing.accept(agent, doc["_id"])


@pytest.fixture
def shop(app, fake_provider):
    agent = make_user("agent", name="Alice")
    account = meta_account(fake_provider, make_queue([agent["_id"]]))
    return agent, account


def _send_job(sent, attempt=1):
    return Job.fetch(jobs.SEND_MESSAGE.job_id({"message_id": sent["id"], "attempt": attempt}), connection=queues.get_redis())


def test_an_unrelated_customers_image_arrives_while_a_send_hangs(live_server, fake_provider, shop, admin_client):
    agent, account = shop
    release = fake_provider.hang("POST", MESSAGES, sent_ok("wamid.OUT-late"))
    try:
        interaction = _conversation(account, agent)
        sent, _ = outbound.compose(agent, interaction["_id"], {"text": "Let me check"})
        assert wait_for(lambda: fake_provider.requests_to(MESSAGES)), "the send reached the provider, which does not answer"

        fake_provider.meta_media(MEDIA_ID, PNG, "image/jpeg", token="meta-token")
        _post_image(admin_client, account)
        pictured = get_db().interactions.find_one({"contact.phone": IMAGE_CUSTOMER})
        assert wait_for(lambda: _media_of(pictured)[0].get("state") == "ready"), "the image waited behind the send"
        assert _send_job(sent).get_status() == "started", "the send is still waiting for the provider"
        assert message(interaction["_id"], sent["id"])["status"] == "queued"
    finally:
        release.set()
    assert wait_for(lambda: message(interaction["_id"], sent["id"])["status"] == "sent")
    assert len(fake_provider.requests_to(MESSAGES)) == 1


def test_a_second_job_for_a_message_being_sent_does_nothing(shop, fake_provider):
    agent, account = shop
    interaction = _conversation(account, agent)
    release = fake_provider.hang("POST", MESSAGES, sent_ok("wamid.OUT-once"))
    sent, _ = outbound.compose(agent, interaction["_id"], {"text": "One moment"})
    first = threading.Thread(target=delivery.deliver, args=(str(interaction["_id"]), sent["id"]))
    first.start()
    try:
        assert wait_for(lambda: fake_provider.requests_to(MESSAGES))
        assert delivery.deliver(str(interaction["_id"]), sent["id"]) == "skipped", "the first worker's claim holds it"
        assert reconcile.reconcile(0) == {"requeue_sends": 0, "requeue_media": 0}, "a claimed send is not stuck"
    finally:
        release.set()
        first.join(30)
    assert message(interaction["_id"], sent["id"])["status"] == "sent"
    assert len(fake_provider.requests_to(MESSAGES)) == 1


def test_a_send_that_times_out_is_retried_later_with_a_sentence(shop, fake_provider, config):
    from app.providers import http as provider_http

    agent, account = shop
    interaction = _conversation(account, agent)
    release = fake_provider.hang("POST", MESSAGES, sent_ok("wamid.OUT-never"))
    provider_http.configure(1.0, 0.5)
    try:
        sent, _ = outbound.compose(agent, interaction["_id"], {"text": "Still there?"})
        assert delivery.deliver(str(interaction["_id"]), sent["id"]) == "retrying"
    finally:
        release.set()
        provider_http.configure(config.PARLEY_PROVIDER_CONNECT_TIMEOUT, config.PARLEY_PROVIDER_READ_TIMEOUT)
    stored = message(interaction["_id"], sent["id"])
    assert stored["status"] == "queued" and stored.get("sending_at") is None, "the claim ends with the attempt"
    assert stored["retry"]["error"]["user_message"].startswith(
        "The WhatsApp provider did not answer in time. Parley will try again"
    )
    assert _send_job(sent, attempt=2).get_status() == "scheduled"
    assert reconcile.reconcile(0)["requeue_sends"] == 0, "its retry is scheduled: nothing is stuck"


def test_media_left_pending_with_no_job_is_fetched_by_the_reconciler(app, fake_provider, client):
    from tests.webhooks.support import make_account

    account = make_account("meta", api_base=fake_provider.url + "/v23.0")
    fake_provider.meta_media(MEDIA_ID, PNG, "image/jpeg", token="meta-token")
    interaction = _post_image(client, account)
    queues.get_queue(jobs.FETCH_MEDIA.queue).empty()  # the queued download is lost
    run_jobs("media")
    assert _media_of(interaction)[0]["state"] == "pending"
    assert reconcile.reconcile(60)["requeue_media"] == 0, "not stuck before the reconciler's delay"
    assert reconcile.reconcile(0)["requeue_media"] == 1
    assert reconcile.reconcile(0)["requeue_media"] == 0, "queued once: the job waits to run"
    run_jobs("media")
    assert _media_of(interaction)[0]["state"] == "ready"


class TestRedisDownWhileQueueing:
    @pytest.fixture
    def redis_server(self):
        with RedisServer() as server:
            yield server

    @pytest.fixture
    def config(self, config, redis_server):
        config.REDIS_URL = redis_server.url
        return config

    def _stored_while_redis_is_down(self, shop, redis_server):
        agent, account = shop
        interaction = _conversation(account, agent)
        redis_server.stop()
        with pytest.raises(RedisError):
            outbound.compose(agent, interaction["_id"], {"text": "Your refund is on its way", "client_id": "client-refund-1"})
        redis_server.start()
        [stored] = [m for m in get_db().interactions.find_one({"_id": interaction["_id"]})["messages"] if m["direction"] == "out"]
        assert stored["status"] == "queued"
        return agent, interaction, stored

    def test_the_reconciler_sends_it_once_redis_is_back(self, shop, fake_provider, redis_server):
        _, interaction, stored = self._stored_while_redis_is_down(shop, redis_server)
        fake_provider.route("POST", MESSAGES, sent_ok("wamid.OUT-refund"))
        assert reconcile.reconcile(0)["requeue_sends"] == 1
        run_jobs("outbound")
        assert message(interaction["_id"], stored["id"])["status"] == "sent"
        assert reconcile.reconcile(0)["requeue_sends"] == 0
        assert len(fake_provider.requests_to(MESSAGES)) == 1

    def test_the_desktops_retry_with_the_same_client_id_queues_it(self, shop, fake_provider, redis_server):
        agent, interaction, stored = self._stored_while_redis_is_down(shop, redis_server)
        fake_provider.route("POST", MESSAGES, sent_ok("wamid.OUT-refund"))
        again, _ = outbound.compose(
            agent, interaction["_id"], {"text": "Your refund is on its way", "client_id": "client-refund-1"}
        )
        assert again["id"] == stored["id"]
        outbound.compose(agent, interaction["_id"], {"text": "Your refund is on its way", "client_id": "client-refund-1"})
        assert queues.get_queue("outbound").count == 1, "a send already queued is not queued twice"
        run_jobs("outbound")
        assert message(interaction["_id"], stored["id"])["status"] == "sent"
        assert len(fake_provider.requests_to(MESSAGES)) == 1


def test_a_send_stuck_after_every_requeue_fails_with_a_sentence(shop, fake_provider):
    agent, account = shop
    interaction = _conversation(account, agent)
    fake_provider.route("POST", MESSAGES, FakeResponse(200, {"messages": []}))
    sent, _ = outbound.compose(agent, interaction["_id"], {"text": "Hello?"})
    queues.get_queue("outbound").empty()  # its job is lost, again and again
    for _ in range(reconcile.MAX_REQUEUES):
        assert reconcile.reconcile(0)["requeue_sends"] == 1
        queues.get_queue("outbound").empty()
    reconcile.reconcile(0)
    stored = message(interaction["_id"], sent["id"])
    assert stored["status"] == "failed"
    assert stored["error"]["user_message"] == reconcile.GAVE_UP["user_message"]
    assert fake_provider.requests_to(MESSAGES) == []


class SendInAWorkerProcess:
    """A send taken by a real `python -m workers.worker outbound` process from a provider that has not answered yet."""

    def __init__(self, shop, fake_provider, redis_url, log_path):
        agent, account = shop
        self.interaction = _conversation(account, agent)
        self.release = fake_provider.hang("POST", MESSAGES, sent_ok("wamid.OUT-first-call"))
        self.sent, _ = outbound.compose(agent, self.interaction["_id"], {"text": "Your parcel left the depot"})
        env = {**os.environ, "REDIS_URL": redis_url, "PARLEY_CONFIG": "testing"}
        self.log_path = log_path
        self.worker = processes.start(["-m", "workers.worker", "outbound"], env, log_path)
        assert wait_for(lambda: fake_provider.requests_to(MESSAGES), timeout=60), self.log

    @property
    def log(self):
        return self.log_path.read_text()

    def stored(self):
        return message(self.interaction["_id"], self.sent["id"])

    def end(self):
        self.release.set()
        if self.worker.poll() is None:
            self.worker.kill()
            self.worker.wait()


@pytest.fixture
def send_in_a_worker_process(shop, fake_provider, redis_url, tmp_path):
    started = SendInAWorkerProcess(shop, fake_provider, redis_url, tmp_path / "worker.log")
    yield started
    started.end()


@server_only
def test_a_send_whose_worker_process_was_killed_mid_call_is_sent_again_once(send_in_a_worker_process, fake_provider):
    sending = send_in_a_worker_process
    for pid in [*processes.children(sending.worker.pid), sending.worker.pid]:  # the work horse has a group of its own
        os.kill(pid, signal.SIGKILL)
    sending.worker.wait()
    sending.release.set()
    fake_provider.route("POST", MESSAGES, sent_ok("wamid.OUT-again"))
    assert sending.stored()["sending_at"], "the dead worker's claim"
    assert reconcile.reconcile(0)["requeue_sends"] == 0, "a fresh claim may still be sending"
    clock.advance(timedelta(seconds=delivery.CLAIM_SECONDS + 1))
    assert reconcile.reconcile(0)["requeue_sends"] == 1
    run_jobs("outbound")
    assert (sending.stored()["status"], sending.stored()["provider_message_id"]) == ("sent", "wamid.OUT-again")
    assert len(fake_provider.requests_to(MESSAGES)) == 2, "the call cut off by the kill, then the one send"


@server_only
def test_sigterm_lets_a_worker_process_finish_the_send_in_hand(send_in_a_worker_process, fake_provider):
    sending = send_in_a_worker_process
    sending.worker.send_signal(signal.SIGTERM)
    assert wait_for(lambda: "warm shut down requested" in sending.log)
    assert sending.worker.poll() is None, "the worker waits for the send in hand"
    sending.release.set()
    assert sending.worker.wait(90) == 0, sending.log
    assert sending.stored()["status"] == "sent"
    assert len(fake_provider.requests_to(MESSAGES)) == 1
