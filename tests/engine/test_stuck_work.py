"""Nothing waits forever, nothing waits behind something else: queues served concurrently, a
send claimed before the provider call, and the reconciler queueing again what a failure left."""

import threading
from datetime import timedelta

import pytest
from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.job import Job
from rq.registry import FailedJobRegistry, StartedJobRegistry

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
from tests.support import blocking_job
from tests.support.builders import make_user
from tests.support.engine import make_queue, stored_messages
from tests.support.own_redis import OwnRedis
from tests.support.sockets import wait_for
from workers import context

IMAGE_CUSTOMER = "+15550001111"  # the one of the image fixture (meta/inbound_image.json)
OTHER_CUSTOMER = "+15550002222"


@pytest.fixture(autouse=True)
def jobs_run_in_the_tests_app(app):
    """Jobs run by `run_jobs` see the test's embedded database, whatever test ran before."""
    context.bind(app)


def run_jobs(*queue_names):
    """Run what waits in `queue_names` with a real RQ worker in this thread, then return."""
    SimpleWorker(list(queue_names), connection=queues.worker_redis()).work(burst=True, logging_level="WARNING")


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
        pictured = wait_for(lambda: _with_its_message({"contact.phone": IMAGE_CUSTOMER}))  # applied by the drain
        assert wait_for(lambda: _media_of(pictured)[0].get("state") == "ready"), "the image waited behind the send"
        assert _send_job(sent).get_status() == "started", "the send is still waiting for the provider"
        assert message(interaction["_id"], sent["id"])["status"] == "queued"
    finally:
        release.set()
    assert wait_for(lambda: message(interaction["_id"], sent["id"])["status"] == "sent")
    assert len(fake_provider.requests_to(MESSAGES)) == 1


def _with_its_message(query):
    """The interaction `query` finds once its message is stored too, else None."""
    doc = get_db().interactions.find_one(query)
    return doc if doc is not None and get_db().messages.find_one({"interaction_id": doc["_id"]}) else None


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
        nothing = {"requeue_sends": 0, "requeue_media": 0, "requeue_answers": 0, "resume_campaigns": 0, "start_due_campaigns": 0}
        assert reconcile.reconcile(0) == nothing, "a claimed send is not stuck"
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


class TestRedisDownWhileQueueing(OwnRedis):
    def _stored_while_redis_is_down(self, shop, redis_server):
        agent, account = shop
        interaction = _conversation(account, agent)
        redis_server.stop()
        with pytest.raises(RedisError):
            outbound.compose(agent, interaction["_id"], {"text": "Your refund is on its way", "client_id": "client-refund-1"})
        redis_server.start()
        [stored] = [m for m in stored_messages(interaction["_id"]) if m["direction"] == "out"]
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


def _its_job_taken_by_a_worker_process(sent, worker_process):
    """The send's queued job replaced by a stand-in that needs no database (a worker process does
    not see the embedded one), taken by a real worker process: RQ's state is the send's own."""
    redis = queues.get_redis()
    job_id = _send_job(sent).id
    queues.get_queue("outbound").empty()
    queues.get_queue("outbound").enqueue(blocking_job.FUNC, job_id=job_id)
    worker = worker_process("outbound")
    assert wait_for(lambda: f"started {job_id}" in blocking_job.records(redis), timeout=60), worker.log
    return worker


@pytest.mark.parametrize("rq_maintenance_ran", [True, False], ids=["abandoned-by-rq", "still-started"])
def test_a_send_whose_worker_process_was_killed_is_queued_again_once(shop, fake_provider, worker_process, rq_maintenance_ran):
    agent, account = shop
    interaction = _conversation(account, agent)
    fake_provider.route("POST", MESSAGES, sent_ok("wamid.OUT-again"))
    sent, _ = outbound.compose(agent, interaction["_id"], {"text": "Your parcel left the depot"})
    worker = _its_job_taken_by_a_worker_process(sent, worker_process)
    assert delivery._claim({"_id": interaction["_id"]}, sent), "the claim its job makes before calling the provider"
    worker.kill()
    assert _send_job(sent).get_status() == "started", "a killed worker tells nobody"
    assert reconcile.reconcile(0)["requeue_sends"] == 0, "its worker may still be sending it"

    failed = FailedJobRegistry("outbound", connection=queues.get_redis())
    if rq_maintenance_ran:  # any worker's maintenance, once the dead worker's heartbeat has lapsed
        started = StartedJobRegistry("outbound", connection=queues.get_redis())
        [(_, lapses)] = queues.get_redis().zrange(started.key, 0, -1, withscores=True)
        started.cleanup(timestamp=lapses + 1)
        assert _send_job(sent).get_status() == "failed" and _send_job(sent).id in failed
        assert reconcile.reconcile(0)["requeue_sends"] == 0, "its claim holds it: the provider may have it"
    clock.advance(timedelta(seconds=delivery.CLAIM_SECONDS + 1))
    assert reconcile.reconcile(0)["requeue_sends"] == 1
    assert _send_job(sent).id not in failed
    assert _send_job(sent).get_status() == "queued", "queued again under the job id it had"
    assert reconcile.reconcile(0)["requeue_sends"] == 0, "queued once: the job waits to run"
    run_jobs("outbound")
    stored = message(interaction["_id"], sent["id"])
    assert (stored["status"], stored["provider_message_id"]) == ("sent", "wamid.OUT-again")
    assert len(fake_provider.requests_to(MESSAGES)) == 1
    assert blocking_job.records(queues.get_redis()) == [f"started {_send_job(sent).id}"], "the killed run never finished"
