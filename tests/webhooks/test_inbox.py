"""Webhooks answered from the inbox in Redis, applied by the drain jobs: one job per burst, the
customer's order, nothing lost when a worker dies or Redis stops, a poison event set aside."""

import json
import random
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from rq import Worker

from app import create_app, queues
from app.db import get_db
from app.providers import sandbox
from app.services.channel import drain, inbox, webhooks
from app.services.conversations import live
from app.services.reading import interaction_queries
from app.services.reporting import dashboard
from tests.media.support import wait_for
from tests.support.builders import make_user
from tests.support.engine import customer_says, make_queue, make_sandbox_account
from tests.support.jobs import run_inbound
from tests.support.round_trips import counting, redis_round_trips
from tools.devstack import RedisServer

from .support import deliver, outcomes, path_of, signed

CUSTOMER = "+447700900555"


def conversation_texts():
    """The only conversation's messages as the REST API pages them (by position), oldest first."""
    [doc] = get_db().interactions.find({}, {"_id": 1})
    admin = get_db().users.find_one({"role": "admin"}) or make_user("admin")
    _, page, _ = interaction_queries.detail(admin, str(doc["_id"]), None, 200)
    return [m.get("text") for m in page]


def body_of(*events):
    return {"events": list(events)}


def post(client, account, *events):
    headers, body = signed(account, body_of(*events))
    return client.post(path_of(account), data=body, headers=headers)


def test_a_burst_is_one_drain_job_and_the_answer_needs_no_database(app, client):
    account = make_sandbox_account(make_queue())
    for n in range(5):
        response = post(client, account, sandbox.build_inbound(CUSTOMER, text=f"hi {n}", message_id=f"sim.burst{n}"))
        assert response.status_code == 200 and response.get_json() == {"ok": True, "counts": {"accepted": 1}}
    assert get_db().interactions.count_documents({}) == 0, "nothing is applied inside the request"
    assert queues.get_queue("inbound").count == 1
    assert dashboard.inbox_backlog()["pending"] == 5

    assert run_inbound(app) == {"stored": 5}
    assert conversation_texts() == [f"hi {n}" for n in range(5)]
    assert dashboard.inbox_backlog() == {"pending": 0, "oldest_seconds": None}


def test_a_providers_repeated_delivery_is_a_duplicate_found_without_a_database_query(app, client):
    account = make_sandbox_account(make_queue())
    hello = sandbox.build_inbound(CUSTOMER, text="Hello?", message_id="sim.again")
    post(client, account, hello)
    assert run_inbound(app) == {"stored": 1}
    before = get_db().interactions.find_one({})
    post(client, account, hello)  # the provider delivers it again, days later
    with counting() as trips:
        assert run_inbound(app) == {"duplicate": 1}
    assert trips.total == 0, trips
    assert conversation_texts() == ["Hello?"]
    after = get_db().interactions.find_one({})
    counters = ("seq", "unread", "message_count", "messages_len")
    assert [after[c] for c in counters] == [before[c] for c in counters], "nothing counted twice"


def test_malformed_items_are_counted_at_the_answer_and_never_queued(app, client):
    account = make_sandbox_account(make_queue())
    empty_text = sandbox.build_inbound(CUSTOMER, text="  ", message_id="sim.empty")
    response = post(client, account, empty_text, sandbox.build_inbound(CUSTOMER, text="real", message_id="sim.real"))
    assert response.get_json()["counts"] == {"accepted": 1, "malformed": 1}
    assert run_inbound(app) == {"stored": 1}


def test_the_dashboard_shows_the_backlog_and_the_age_of_its_oldest_event(app, client, admin_client):
    account = make_sandbox_account(make_queue())
    post(client, account, sandbox.build_inbound(CUSTOMER, text="first"))
    post(client, account, sandbox.build_inbound("+447700900556", text="second"))
    time.sleep(1.1)  # the oldest has waited over a second: the figure reads its age, not a count of seconds asked for
    backlog = dashboard.summary()["inbox"]
    assert backlog["pending"] == 2 and backlog["oldest_seconds"] >= 1
    live = admin_client.get("/dashboard/live").get_data(as_text=True)
    assert 'data-testid="inbox-pending">2<' in live

    run_inbound(app)
    assert 'data-testid="inbox-pending">0<' in admin_client.get("/dashboard/live").get_data(as_text=True)


def test_100_messages_of_one_customer_posted_at_once_in_shuffled_order_show_in_the_customers_order(app, live_server):
    """Real HTTP, many threads, the embedded worker draining while the webhooks still arrive."""
    app.config["PARLEY_INBOUND_REORDER_MS"] = 3000  # longer than the spread of the posts on a busy test machine
    account = make_sandbox_account(make_queue())
    start = int(time.time()) - 1000
    bodies = [
        signed(account, body_of(sandbox.build_inbound(CUSTOMER, text=f"m{n:03d}", message_id=f"sim.o{n}", timestamp=start + n)))
        for n in range(100)
    ]
    random.Random(13).shuffle(bodies)

    def send(signed_body):
        headers, body = signed_body
        return requests.post(live_server.url + path_of(account), data=body, headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(16) as pool:
        assert set(pool.map(send, bodies)) == {200}

    wait_for(lambda: (doc := get_db().interactions.find_one({})) and doc["message_count"] == 100, timeout=60)
    assert conversation_texts() == [f"m{n:03d}" for n in range(100)]


def test_a_worker_that_died_mid_drain_leaves_its_events_for_the_sweep_applied_once(app, client):
    account = make_sandbox_account(make_queue())
    for n in range(3):
        post(client, account, sandbox.build_inbound(CUSTOMER, text=f"x{n}", message_id=f"sim.d{n}"))
    key = f"{account['_id']}:{CUSTOMER}"
    # A worker took the drain (the queued job and its marker are gone), claimed the events, applied
    # the first one and died before finishing the round: its lock outlives it until the lock's TTL.
    queues.get_queue("inbound").empty()
    inbox.clear_marker()
    [claimed] = inbox.claim(0, lock_ttl_ms=500).customers
    assert claimed.key == key and len(claimed.entries) == 3
    first = inbox.parse(claimed.entries[0][0])
    assert webhooks.apply(account, first.event, first.received_at) == {"stored": 1}

    assert run_sweep(app) == 0, "the lock is live: that worker may still be at it"
    wait_for(lambda: not queues.get_redis().exists(inbox.PREFIX + "lock:" + key), timeout=5)
    assert run_sweep(app) == 1
    assert run_inbound(app) == {"duplicate": 1, "stored": 2}
    assert conversation_texts() == ["x0", "x1", "x2"]
    assert dashboard.inbox_backlog()["pending"] == 0


def run_sweep(app):
    """The periodic sweep, run by a real worker; returns how many inboxes it found stranded."""
    from app import jobs

    job = jobs.enqueue(jobs.SWEEP_INBOXES)
    run_inbound(app, ("maintenance",))
    job.refresh()
    return job.meta["outcome"]


def test_an_event_that_can_never_be_stored_is_set_aside_and_the_customer_goes_on(app, client):
    account = make_sandbox_account(make_queue())
    card = {"name": {"formatted_name": "Luca"}, "phones": [{"phone": "+393331234567"}], "ref": 2**64}
    poison = sandbox.build_inbound(CUSTOMER, "contacts", contacts=[card], message_id="sim.poison", timestamp=1_700_000_000)
    later = sandbox.build_inbound(CUSTOMER, text="still here", message_id="sim.after", timestamp=1_700_000_001)
    headers, body = signed(account, body_of(poison, later))
    assert outcomes(deliver(client, account, body, headers)) == {"failed": 1, "stored": 1}
    assert get_db().webhook_failures.count_documents({}) == 1
    assert conversation_texts() == ["still here"]
    assert dashboard.inbox_backlog()["pending"] == 0


def test_events_of_a_deleted_account_are_dropped_not_retried(app, client):
    account = make_sandbox_account(make_queue())
    post(client, account, sandbox.build_inbound(CUSTOMER, text="hello"))
    get_db().accounts.delete_one({"_id": account["_id"]})
    assert run_inbound(app) == {"orphaned": 1}
    assert dashboard.inbox_backlog()["pending"] == 0


@pytest.fixture
def app_on_stoppable_redis(config):
    """An app on its own Redis with an append-only file, which the test may kill and restart."""
    server = RedisServer(appendonly=True).start()
    config.REDIS_URL = server.url
    yield create_app(config), server
    server.stop()


def test_redis_down_at_the_webhook_is_a_500_and_the_providers_retry_is_accepted(app_on_stoppable_redis):
    app, server = app_on_stoppable_redis
    client = app.test_client()
    with app.app_context():
        account = make_sandbox_account(make_queue())
    event = sandbox.build_inbound(CUSTOMER, text="are you there?", message_id="sim.retry")
    server.kill()
    response = post(client, account, event)
    assert response.status_code == 500 and response.get_json()["error"]["code"] == "retry_later"

    server.restart()
    assert post(client, account, event).status_code == 200
    assert post(client, account, event).status_code == 200  # the provider's own repeat
    assert run_inbound(app) == {"stored": 1, "duplicate": 1}
    with app.app_context():
        assert conversation_texts() == ["are you there?"]


def test_a_frozen_redis_fails_the_webhook_in_time_and_the_providers_retry_is_accepted(config):
    """A Redis that stops answering (stopped, swapping, a network partition) without closing its
    connections: the webhook answers 500 once PARLEY_REDIS_TIMEOUT_SECONDS pass, instead of holding
    its handler for as long as Redis is frozen."""
    server = RedisServer().start()
    config.REDIS_URL, config.PARLEY_REDIS_TIMEOUT_SECONDS = server.url, 0.5
    try:
        app = create_app(config)
        client = app.test_client()
        with app.app_context():
            account = make_sandbox_account(make_queue())
        event = sandbox.build_inbound(CUSTOMER, text="still there?", message_id="sim.frozen")
        assert post(client, account, sandbox.build_inbound(CUSTOMER, text="hi", message_id="sim.warm")).status_code == 200
        server.process.send_signal(signal.SIGSTOP)
        pool = ThreadPoolExecutor(1)
        try:
            answer = pool.submit(post, client, account, event).result(timeout=30)  # answered, not held forever
        finally:
            server.process.send_signal(signal.SIGCONT)
            pool.shutdown()
        assert answer.status_code == 500 and answer.get_json()["error"]["code"] == "retry_later"
        assert post(client, account, event).status_code == 200
        # The write Redis had not answered may still be carried out once it runs again: the
        # provider's retry is then a duplicate, applied once all the same.
        assert run_inbound(app)["stored"] == 2
        with app.app_context():
            assert conversation_texts() == ["hi", "still there?"]
    finally:
        server.stop()


def test_workers_in_the_web_process_leave_its_requests_their_redis_timeout(app):
    """RQ raises the socket timeout of its connection's pool to outlast its BLPOP (minutes): on a
    pool shared with requests (the embedded mode's worker threads), a frozen Redis held them as long."""
    Worker(["inbound"], connection=queues.worker_redis())
    assert queues.get_redis().connection_pool.connection_kwargs["socket_timeout"] == app.config["PARLEY_REDIS_TIMEOUT_SECONDS"]
    assert queues.worker_redis().connection_pool.connection_kwargs["socket_timeout"] > 60


def test_accepted_events_survive_a_redis_crash_and_are_applied_once(app_on_stoppable_redis):
    """Redis killed after the 200 and before any worker ran: its append-only file kept the events."""
    app, server = app_on_stoppable_redis
    client = app.test_client()
    with app.app_context():
        account = make_sandbox_account(make_queue())
    for n in range(3):
        event = sandbox.build_inbound(CUSTOMER, text=f"kept {n}", timestamp=1_700_000_000 + n)
        assert post(client, account, event).status_code == 200
    server.kill()
    server.restart()
    assert run_inbound(app) == {"stored": 3}
    with app.app_context():
        assert conversation_texts() == ["kept 0", "kept 1", "kept 2"]


def test_redis_killed_between_a_round_and_its_follow_ups_loses_and_doubles_nothing(app_on_stoppable_redis, monkeypatch):
    """The round's messages are in the database, but their live events, jobs and the inbox's
    finish never reached Redis: the events are still in the inbox (its AOF), marked started, and
    the next drain completes their follow-ups once."""
    app, server = app_on_stoppable_redis
    client = app.test_client()
    with app.app_context():
        account = make_sandbox_account(make_queue())
        for n, who in enumerate(("+447700900571", "+447700900572", "+447700900571")):
            assert post(client, account, sandbox.build_inbound(who, text=f"k{n}", timestamp=1_700_000_000 + n)).status_code == 200
        finish = inbox.finish

        def finish_then_crash(claim, pipe):
            finish(claim, pipe)
            server.kill()  # after the round applied its events, before its pipeline is sent

        monkeypatch.setattr(inbox, "finish", finish_then_crash)
        assert drain.drain(slice_seconds=60, lock_ttl_ms=300)["end"] == "retry"
        monkeypatch.setattr(inbox, "finish", finish)
        assert get_db().messages.count_documents({}) == 3, "applied before the crash"
        server.restart()
        assert dashboard.inbox_backlog()["pending"] == 3, "and still waiting in the inbox"
        time.sleep(0.4)  # the dead round's locks expire

        assert drain.drain() == {"applied": {"duplicate": 3}, "end": "done"}
        assert dashboard.inbox_backlog() == {"pending": 0, "oldest_seconds": None}
        [job] = queues.get_queue("sentiment").jobs  # one for the round, every message's score once
        carried = sorted((iid, position) for iid, _, position, _, _ in job.kwargs["scores"])
        assert carried == sorted((str(m["interaction_id"]), m["position"]) for m in get_db().messages.find({}))
        for doc in get_db().interactions.find({}):
            events = [e["seq"] for e in live.events_since(doc["_id"], 0)["events"]]
            assert events == list(range(1, doc["seq"] + 1)) and doc["message_count"] == doc["unread"] == len(events)
        assert sum(d["message_count"] for d in get_db().interactions.find({})) == 3


def test_inbox_entries_read_back_as_the_events_that_went_in(app):
    account = make_sandbox_account(make_queue())
    [event] = customer_says(account, CUSTOMER, "round trip", message_id="sim.rt")
    assert inbox.record(account["_id"], [event], event.timestamp) is True, "the first event asks for a drain"
    assert inbox.record(account["_id"], [event], event.timestamp) is False, "one is queued already"
    entry = inbox.parse(inbox.head(inbox.customer_key(account["_id"], event)))
    assert entry.event == event and entry.received_at == event.timestamp
    assert json.loads(entry.member.split(b"|", 2)[2])["event"]["text"] == "round trip"


def test_held_events_wait_for_an_earlier_late_one_and_one_drain_serves_every_customer(app, client):
    app.config["PARLEY_INBOUND_REORDER_MS"] = 300
    account = make_sandbox_account(make_queue())
    for who in ("+447700900561", "+447700900562"):
        for n in (2, 1):  # each customer's later message arrives first
            post(client, account, sandbox.build_inbound(who, text=f"{who[-1]}{n}", timestamp=1_700_000_000 + n))
    assert queues.get_queue("inbound").count == 1, "one drain job for the whole burst"
    assert run_inbound(app) == {"stored": 4}
    assert _texts_by_customer() == {"+447700900561": ["11", "12"], "+447700900562": ["21", "22"]}


def _texts_by_customer():
    admin = get_db().users.find_one({"role": "admin"}) or make_user("admin")
    return {
        doc["contact"]["phone"]: [m["text"] for m in interaction_queries.detail(admin, str(doc["_id"]))[1]]
        for doc in get_db().interactions.find({}, {"_id": 1, "contact.phone": 1})
    }


def test_a_drain_waiting_out_the_hold_hands_over_to_a_drain_queued_meanwhile(app, client):
    app.config["PARLEY_INBOUND_REORDER_MS"] = 60_000
    account = make_sandbox_account(make_queue())
    post(client, account, sandbox.build_inbound(CUSTOMER, text="not due for a minute"))
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(lambda: app.app_context().push() or drain.drain(60_000))  # the job that started
        wait_for(lambda: not inbox.drain_queued(), timeout=5)
        post(client, account, sandbox.build_inbound("+447700900599", text="another customer"))  # queues a drain
        assert inbox.drain_queued()
        assert running.result(timeout=5) == {"applied": {}, "end": "later"}
    assert dashboard.inbox_backlog()["pending"] == 2, "the events wait for the queued drain"


def test_a_round_of_fifty_customers_costs_a_few_redis_round_trips(app, client):
    """Claim, one pipeline for every follow-up and the round's end, one for the emits: the cost
    in round trips does not grow with the number of events a round applies."""
    account = make_sandbox_account(make_queue())
    post(client, account, sandbox.build_inbound(CUSTOMER, text="warming up"))
    drain.drain()  # the scripts loaded, the message queue's connection open
    for n in range(50):
        post(client, account, sandbox.build_inbound(f"+4477009007{n:02d}", text=f"hello {n}"))
    with redis_round_trips() as trips:
        assert drain.drain(slice_seconds=60) == {"applied": {"stored": 50}, "end": "done"}
    # the marker cleared, the claim, the customers' campaign waits (one MGET), who is online (for
    # the offers), the scripts' existence check, one MULTI/EXEC with every follow-up and emit, the
    # claim that finds nothing (and, not counted, the configuration cache's GET, once a second, of
    # whether another process changed something: never one per message)
    assert _without_cache_checks(trips) <= 7, trips
    assert trips.sent.count("GET") <= 2, trips
    with redis_round_trips() as trips:
        for n in range(50):
            post(client, account, sandbox.build_inbound(f"+4477009007{n:02d}", text=f"again {n}"))
    posted = trips.count
    with redis_round_trips() as trips:
        assert drain.drain(slice_seconds=60) == {"applied": {"stored": 50}, "end": "done"}
    assert _without_cache_checks(trips) <= 7, f"{trips} to apply 50 follow-ups (the 50 webhooks took {posted})"
    assert trips.sent.count("GET") <= 2, trips


def _without_cache_checks(trips):
    return len([command for command in trips.sent if command != "GET"])
