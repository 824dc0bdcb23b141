"""A rolling restart under webhook load loses nothing and applies nothing twice.

Two web processes behind nginx (deploy/nginx/parley.conf) and a worker process on one Redis
(tests/support/cluster.py). A load generator posts signed Meta webhooks through nginx as a provider
does: each again after a connection error or a 5xx until it is answered 200, and one in ten a
second time after its 200 (providers repeat deliveries). Meanwhile web1 is stopped with SIGTERM,
started again and waited for (until nginx passes it requests again), then web2, then the worker.

What is proven, on what crosses processes (each process has an embedded database of its own):
every webhook was answered 200; every accepted event was applied by a worker (the inbox is
empty and each message's mark in Redis says `done`); the drain jobs' results (RQ, in Redis)
count exactly one `stored` per message, however many times it was delivered and whichever
process accepted each delivery, and account for every event the inbox recorded (stored or
recognised as a duplicate), at least one per delivery answered 200; every process stopped with
exit code 0. That each message is stored in the database once is what `stored` counts:
with a MongoDB server shared by the workers, the same counts would hold across processes.
"""

import threading
import time

import pytest
import redis
import requests
from rq import Queue
from rq.job import Job

from app import jobs
from app.services.channel import inbox
from tests.support import cluster_data
from tests.support.cluster import running
from tests.support.sockets import wait_for

SENDERS_PER_THREAD = 10
REPEAT_EVERY = 10


class Provider:
    """Threads posting signed webhooks through nginx, each carrying a new customer message,
    delivered again (after 0.2 s) on a connection error, a timeout or a 5xx until answered 200."""

    def __init__(self, url, threads=4, pause=0.02):
        self.url = url
        self.pause = pause
        self.deliveries = {}  # message id -> [(monotonic time answered, status or error name, seconds taken), ...]
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._post_messages, args=(n,), daemon=True) for n in range(threads)]

    def start(self):
        for thread in self._threads:
            thread.start()
        return self

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    def _post_messages(self, thread_no):
        n = 0
        while not self._stop.is_set():
            message_id = f"wamid.ROLL-{thread_no}-{n}"
            sender = f"1555{thread_no:03d}{n % SENDERS_PER_THREAD:04d}"  # each customer's messages one after the other
            body, headers = cluster_data.meta_webhook(message_id, sender, f"Message {n}")
            self.deliveries[message_id] = attempts = []
            self._deliver(body, headers, attempts)
            if n % REPEAT_EVERY == 0:  # providers sometimes deliver a webhook again after its 200
                self._deliver(body, headers, attempts)
            n += 1
            time.sleep(self.pause)

    def _deliver(self, body, headers, attempts):
        """POST until answered 200 (or refused with a 4xx, which fails the test), recording each attempt."""
        while True:
            sent_at = time.monotonic()
            try:
                status = requests.post(self.url, data=body, headers=headers, timeout=10).status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            attempts.append((time.monotonic(), status, time.monotonic() - sent_at))
            if status == 200 or (isinstance(status, int) and status < 500) or len(attempts) > 100:
                return
            time.sleep(0.2)

    def timeline(self):
        """Answers per second since the first one, the slowest and the failed attempts: for failure messages."""
        every = sorted(attempt for attempts in self.deliveries.values() for attempt in attempts)
        per_second = {}
        for answered_at, _, _ in every:
            second = int(answered_at - every[0][0])
            per_second[second] = per_second.get(second, 0) + 1
        slowest = sorted(every, key=lambda attempt: -attempt[2])[:5]
        failed = [attempt for attempt in every if attempt[1] != 200]
        shift = every[0][0]
        return {
            "per second": dict(sorted(per_second.items())),
            "slowest": [(round(t - shift, 1), status, round(took, 2)) for t, status, took in slowest],
            "failed": [(round(t - shift, 1), status, round(took, 2)) for t, status, took in failed][:20],
        }

    def answered_between(self, start, end):
        return sum(1 for attempts in self.deliveries.values() if start <= attempts[-1][0] <= end and attempts[-1][1] == 200)


@pytest.fixture
def cluster(tmp_path):
    with running(tmp_path) as started:
        yield started


def restart(node, served_again):
    """SIGTERM `node`, check it exits 0, start it again and wait until it is ready and `served_again(node)`
    says it works again; returns (stopped at, back at)."""
    stopped_at = time.monotonic()
    assert node.terminate(60) == 0, node.log
    node.start().ready()
    assert wait_for(served_again(node), 30), f"{node.name} does not work again"
    return stopped_at, time.monotonic()


def drain_results(connection):
    """What the drain jobs that finished report as applied, summed over them."""
    queue = Queue(jobs.DRAIN_INBOX.queue, connection=connection)
    totals = {}
    for job in Job.fetch_many(queue.finished_job_registry.get_job_ids(), connection=connection):
        if job is not None and job.func_name == jobs.DRAIN_INBOX.func:
            for outcome, count in job.return_value()["applied"].items():
                totals[outcome] = totals.get(outcome, 0) + count
    return totals


def inbox_settled(connection):
    queue = Queue(jobs.DRAIN_INBOX.queue, connection=connection)
    idle = not queue.count and not queue.started_job_registry.count
    return idle and not connection.zcard(inbox.PENDING) and int(connection.get(inbox.COUNT) or 0) == 0


def test_a_rolling_restart_under_webhook_load_loses_and_duplicates_nothing(cluster):
    connection = redis.Redis.from_url(cluster.worker.env["REDIS_URL"])
    provider = Provider(f"{cluster.nginx.url}{cluster_data.webhook_path()}").start()
    assert wait_for(lambda: len(provider.deliveries) > 50, 30), cluster.logs()

    def proxied_to(node):  # nginx passes it requests again (after its fail_timeout)
        seen = cluster.nginx.requests_to(node.port)
        return lambda: cluster.nginx.requests_to(node.port) > seen + 10

    def applying(_):  # the restarted worker applies events again
        done = drain_results(connection).get("stored", 0)
        return lambda: drain_results(connection).get("stored", 0) > done + 20

    windows = {name: restart(node, proxied_to) for name, node in cluster.webs.items()}
    windows["worker"] = restart(cluster.worker, applying)
    provider.stop()

    for name, (start, end) in windows.items():  # the load went on through every restart
        answered = provider.answered_between(start, end)
        assert answered >= 5, f"{answered} webhooks answered in the {end - start:.1f} s {name} restarted: {provider.timeline()}"
    unanswered = {mid: attempts for mid, attempts in provider.deliveries.items() if attempts[-1][1] != 200}
    assert not unanswered, unanswered
    assert wait_for(lambda: inbox_settled(connection), 60), cluster.logs()

    message_ids = set(provider.deliveries)
    marks = {mid: cluster_data.applied_mark(connection, mid) for mid in message_ids}
    assert {mid: mark for mid, mark in marks.items() if mark != "done"} == {}
    applied = drain_results(connection)
    recorded = int(connection.get(inbox.SEQ))  # every event the inbox accepted, deliveries again included
    assert applied.get("stored") == len(message_ids), applied
    assert applied.get("stored", 0) + applied.get("duplicate", 0) == recorded, (applied, recorded)
    assert not {k: v for k, v in applied.items() if k not in ("stored", "duplicate")}, applied
    answered = sum(1 for attempts in provider.deliveries.values() for attempt in attempts if attempt[1] == 200)
    assert recorded >= answered, "a webhook answered 200 was not kept"
    failed = sum(1 for attempts in provider.deliveries.values() for attempt in attempts if attempt[1] != 200)
    print(f"\n{len(message_ids)} messages, {answered} deliveries answered 200, {failed} failed and retried,", end=" ")
    print(f"{recorded} recorded, applied {applied}")
