"""RQ on a real Redis: a separate `rq worker` process reaching browsers through the Socket.IO
message queue, and the embedded worker, scheduler and periodic jobs in the web process."""

import io
import logging
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from rq import Retry
from rq.job import Job

from app import jobs, queues
from app.db import get_db
from app.observability import logs
from tests.support.live_server import LiveServer
from tests.support.sockets import connect_as, wait_for
from workers import periodic

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server_without_worker(app):
    server = LiveServer(app, with_worker=False).start()
    yield server
    server.stop()


def test_job_in_a_separate_rq_worker_process_reaches_a_connected_client(server_without_worker, agent, redis_url):
    client = connect_as(server_without_worker, agent["email"])
    try:
        job = jobs.enqueue(jobs.ANNOUNCE, room=f"agent:{agent['_id']}", event="probe", payload={"hello": "agent"})
        env = {**os.environ, "REDIS_URL": redis_url, "PARLEY_CONFIG": "testing"}
        worker = subprocess.run(
            [str(Path(sys.executable).parent / "rq"), "worker", "--burst", "--url", redis_url, "maintenance"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert worker.returncode == 0, worker.stderr
        received = client.wait_for_event("probe")
        assert received == [{"hello": "agent", "job_id": job.id}], f"worker said: {worker.stderr[-2000:]}"
        job.refresh()
        assert job.get_status() == "finished"
        assert f"workers.system [job {job.id}] announce: None" in worker.stderr
    finally:
        client.disconnect()


def test_job_touching_the_database_runs_in_the_embedded_worker(live_server):
    job = jobs.enqueue(jobs.RECORD_PROBE, probe_id="probe-1")
    doc = wait_for(lambda: get_db().job_probes.find_one({"probe_id": "probe-1"}))
    assert doc and doc["job_id"] == job.id
    assert wait_for(lambda: Job.fetch(job.id, connection=queues.get_redis()).get_status() == "finished")


def test_log_lines_of_a_job_in_the_embedded_worker_carry_its_id(live_server):
    lines = io.StringIO()
    handler = logs.handler(lines)
    logging.getLogger().addHandler(handler)
    try:
        job = jobs.enqueue(jobs.RECORD_PROBE, probe_id="probe-log")
        assert wait_for(lambda: Job.fetch(job.id, connection=queues.get_redis()).get_status() == "finished")
        logging.getLogger("tests").warning("outside any job")
    finally:
        logging.getLogger().removeHandler(handler)
    assert f"INFO workers.system [job {job.id}] record_probe: probe-log" in lines.getvalue()
    assert "WARNING tests [job -] outside any job" in lines.getvalue()


def test_a_job_that_found_nothing_to_do_logs_no_info_line(live_server):
    lines = io.StringIO()
    handler = logs.handler(lines)
    handler.setLevel(logging.INFO)
    logging.getLogger().addHandler(handler)
    try:
        idle = jobs.enqueue(jobs.EXPIRE_WINDOWS)
        busy = jobs.enqueue(jobs.RECORD_PROBE, probe_id="probe-busy")
        for job in (idle, busy):
            assert wait_for(lambda job=job: Job.fetch(job.id, connection=queues.get_redis()).get_status() == "finished")
    finally:
        logging.getLogger().removeHandler(handler)
    assert Job.fetch(idle.id, connection=queues.get_redis()).meta["outcome"] == 0
    assert f"[job {busy.id}] record_probe: probe-busy" in lines.getvalue()
    assert f"[job {idle.id}]" not in lines.getvalue()


def test_an_embedded_worker_ends_its_command_listener_when_it_unsubscribes(app):
    """RQ listens for commands to a worker (shut down, stop a job) in a thread of its own; the
    embedded worker's stop ends that thread on the answer to its unsubscribe, not on a next message."""
    from workers.embedded import ThreadWorker

    redis = queues.worker_redis()
    for _ in range(5):
        worker = ThreadWorker(["maintenance"], connection=redis)
        worker.subscribe()
        assert wait_for(lambda w=worker: redis.pubsub_numsub(w.pubsub_channel_name)[0][1] == 1)
        worker.unsubscribe()
        assert not worker.pubsub_thread.is_alive()
        assert redis.pubsub_numsub(worker.pubsub_channel_name)[0][1] == 0


def test_retry_with_an_interval_goes_through_the_embedded_scheduler(live_server):
    job = queues.get_queue("inbound").enqueue(
        "tests.support.jobs.fail_once_then_record", "probe-retry", retry=Retry(max=2, interval=1)
    )
    doc = wait_for(lambda: get_db().job_probes.find_one({"probe_id": "probe-retry"}), timeout=15)
    assert doc, f"job status: {Job.fetch(job.id, connection=queues.get_redis()).get_status()}"
    assert int(queues.get_redis().get("test:attempts:probe-retry")) == 2


def test_periodic_jobs_run_in_the_embedded_cron(monkeypatch, app):
    monkeypatch.setattr(
        periodic,
        "PERIODIC_JOBS",
        [periodic.PeriodicJob(replace(jobs.RECORD_PROBE, name="test-probe", queue="maintenance"), 1, {"probe_id": "periodic"})],
    )
    server = LiveServer(app, with_worker=True).start()
    try:
        assert wait_for(lambda: get_db().job_probes.find_one({"probe_id": "periodic"}), timeout=15)
    finally:
        server.stop()


def test_rq_cron_config_registers_every_periodic_job(monkeypatch):
    probe = replace(jobs.RECORD_PROBE, name="p", queue="maintenance")
    monkeypatch.setattr(periodic, "PERIODIC_JOBS", [periodic.PeriodicJob(probe, 60)])
    registered = []
    periodic.register_all(lambda func, queue, **kw: registered.append((func.__name__, queue, kw["interval"], kw["name"])))
    assert registered == [("record_probe", "maintenance", 60, "p")]


def test_the_separate_worker_entry_refuses_the_embedded_database(redis_url):
    env = {**os.environ, "REDIS_URL": redis_url, "PARLEY_CONFIG": "testing", "MONGO_URI": "mongomock://localhost/x"}
    result = subprocess.run(
        [sys.executable, "-m", "workers.worker"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "embedded database" in result.stderr


def test_each_job_of_the_worker_entry_opens_its_database_client_in_its_own_process(app, redis_url):
    """workers.worker opens the database before RQ forks a work horse per job; the job must use a
    client its own process opened (pymongo clients are not fork-safe). The entry refuses the
    embedded engine, so this runs its `run()` on it directly, with warnings turned into errors."""
    first = jobs.enqueue(jobs.DESCRIBE_PROCESS)
    second = jobs.enqueue(jobs.DESCRIBE_PROCESS)
    env = {**os.environ, "REDIS_URL": redis_url, "PARLEY_CONFIG": "testing", "PYTHONWARNINGS": "error::UserWarning"}
    script = (
        "import os; print(os.getpid(), flush=True)\n"
        "from app import create_app; from workers.worker import run; run(create_app(), ['maintenance'], burst=True)"
    )
    worker = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert worker.returncode == 0, worker.stderr
    assert "opened before fork" not in worker.stderr
    pids = set()
    for job in (first, second):
        job.refresh()
        assert job.get_status() == "finished", worker.stderr[-2000:]
        outcome = job.meta["outcome"]
        assert outcome["client_pid"] == outcome["pid"]
        pids.add(outcome["pid"])
    assert len(pids) == 2 and int(worker.stdout.split()[0]) not in pids  # a work horse per job, neither the worker itself


FORKED_PING = """
import os, warnings
warnings.filterwarnings("error", message=".*opened before fork")
from app import db
db.connect("mongodb://127.0.0.1:1/parley")  # a real pymongo client; nothing listens there
child = os.fork()
if child == 0:
    try:
        db.get_db().command("ping")
    except Exception as exc:
        print(type(exc).__name__, db.client_pid() == os.getpid(), flush=True)
    os._exit(0)
os.waitpid(child, 0)
"""


def test_a_forked_process_does_not_use_the_pymongo_client_of_its_parent():
    """pymongo's own check: a client used in a process it was not opened in warns 'MongoClient opened
    before fork' (an error here). The child opens its own and only finds no server."""
    result = subprocess.run([sys.executable, "-c", FORKED_PING], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["ServerSelectionTimeoutError", "True"], result.stderr
