"""A 100,000-recipient campaign sent through a fake Meta Cloud API: rate, memory, and a kill mid-run.

    .venv/bin/python bench/campaign.py            # the full run (about 10 minutes), writes bench/RESULTS.md
    .venv/bin/python bench/campaign.py --quick    # 5,000 recipients, nothing written

The fake API (bench/fake_meta.py) is a real HTTP server on loopback in a process of its own; it logs
every send it accepted. This process is the worker: the embedded database lives in its memory, with a
real Redis of its own for the shared rate and the leases. The sending job's function
(app/services/campaigns/sender.run, what the RQ job calls) runs in a thread of it.

1. rate 80/s (Meta's standard tier): RATE_CAMPAIGN recipients; the achieved rate from the fake
   API's log (sends per second over the run, and the median of whole seconds);
2. rate 1,000/s: 100,000 recipients (expanded by the job, timed), the achieved rate the same way,
   the process's resident memory sampled every second;
3. the kill, in the middle of (2): the fake API starts holding the sends it receives (it has them;
   the senders wait for an answer), every sending thread is then stopped where it stands (an
   exception raised into it) and the held connections are dropped unanswered. That leaves what a
   killed worker leaves: recipients moved to `sending` whose send the provider may have accepted.
   The database lives in this process, so the process itself cannot be killed without losing it;
   on a MongoDB server a SIGKILLed worker leaves the same state. Then, as in production: the
   provider's "sent" statuses for what it accepted arrive (they carry the reference Parley
   attached, so they adopt the doubtful sends), half an hour passes (recovery.IN_DOUBT_FOR), the
   reconciler finds the campaign without a sender and queues it again, and a new run finishes it.
   The fake API's log must then hold each of the 100,000 numbers exactly once.
"""

import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from tools.devstack import RedisServer, free_port  # noqa: E402

RECIPIENTS, RATE_CAMPAIGN = 100_000, 2_400
PHONE_NUMBER_ID = "100000000000009"
KILL_AT = 0.5  # of the big campaign's sends


class Killed(BaseException):
    """Raised into a sending thread: it stops where it stands, as in a process that is killed."""


def kill_thread(thread):
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(Killed))


def cpu_seconds():
    times = os.times()
    return times.user + times.system


def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class FakeMeta:
    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "fake_meta.py"), str(self.port)])
        for _ in range(100):
            try:
                requests.get(self.url + "/held", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the fake Meta API did not start")

    def log(self):
        text = requests.get(self.url + "/log", timeout=60).text
        return [json.loads(line) for line in text.splitlines() if line]

    def post(self, action):
        requests.post(self.url + "/" + action, timeout=5)

    def count(self):
        return requests.get(self.url + "/count", timeout=5).json()

    def held(self):
        return requests.get(self.url + "/held", timeout=5).json()

    def stop(self):
        self.process.kill()
        self.process.wait()


def build(redis_url, fake_url):
    os.environ.update(REDIS_URL=redis_url, PARLEY_INSTANCE_DIR=tempfile.mkdtemp(),
                      MONGO_URI="mongomock://localhost/bench", PARLEY_ASYNC_MODE="threading")
    from app import create_app

    app = create_app("development")
    app.app_context().push()
    from app.db import get_db
    from app.services.channel import accounts
    from app.services.people import users
    from app.services.setup import queue_admin

    admin = users.create_user("bench-admin@parley.example", "bench-password-2026", "Bench Admin", "admin")
    queue = queue_admin.create_queue({"name": "Campaign replies"})
    account = accounts.create_account(
        "Bench Meta", "meta", "+15550002000", queue_id=queue["_id"], api_base=fake_url + "/v23.0",
        credentials={"phone_number_id": PHONE_NUMBER_ID, "waba_id": "100000000000010"},
        secret_values={"access_token": "bench", "app_secret": "bench-secret", "verify_token": "bench"},
        settings={**accounts.default_settings(), "messages_per_second": 1000},  # the highest tier
    )
    template = {"account_id": account["_id"], "name": "order_ready", "language": "en", "status": "APPROVED",
                "category": "UTILITY", "components": [{"type": "BODY", "text": "Hi {{1}}, your order {{2}} is ready."}]}
    template["_id"] = get_db().templates.insert_one(template).inserted_id
    return admin, account, template


def contact_list(name, count, first):
    """A contact list of `count` contacts with numbers from `first` on."""
    from app.db import get_db

    list_id = get_db().contact_lists.insert_one({"name": name}).inserted_id
    for start in range(0, count, 10_000):
        get_db().contacts.insert_many([
            {"list_id": list_id, "tags": [], "first_name": f"Customer {n}", "mobile": f"+1555{first + n:07d}",
             "phone": f"+1555{first + n:07d}"}
            for n in range(start, min(count, start + 10_000))
        ])
    return list_id


def create(admin, account, template, list_id, rate, name):
    from app.services.campaigns import campaign_records

    return campaign_records.create(admin, {
        "name": name, "account_id": str(account["_id"]), "template_id": str(template["_id"]), "list_ids": [str(list_id)],
        "params": {"body": [{"field": "first_name"}, {"value": "A-100"}]}, "rate": rate,
    })


def achieved(times):
    """(sends per second from the first to the last, median of the whole seconds in between)."""
    if len(times) < 2:
        return 0.0, 0.0
    times = sorted(times)
    per_second = Counter(int(t - times[0]) for t in times)
    whole = [per_second[s] for s in range(1, int(times[-1] - times[0]))]  # the first and last are partial
    return (len(times) - 1) / (times[-1] - times[0]), statistics.median(whole) if whole else 0.0


def send_in_thread(campaign_id):
    from app.services.campaigns import sender

    outcome = {}

    def job():
        try:
            outcome["state"] = sender.run(campaign_id)
        except Killed:
            outcome["state"] = "killed"

    thread = threading.Thread(target=job, name="campaign-job")
    thread.start()
    return thread, outcome


def sending_threads():
    return [t for t in threading.enumerate() if t.name.startswith("campaign_")]


def kill_mid_run(fake, job):
    """Hold the provider's answers, stop every sending thread where it stands, drop the held calls."""
    fake.post("freeze")
    deadline = time.monotonic() + 3
    while fake.held() < len(sending_threads()) and time.monotonic() < deadline:
        time.sleep(0.01)
    held = fake.held()
    for thread in sending_threads():
        kill_thread(thread)
    fake.post("release")
    job.join(30)
    return held


def replay_statuses(fake, account):
    """Meta's "sent" status for each accepted send still unrecorded, as the drain applies it."""
    from app.db import get_db
    from app.services import clock
    from app.services.conversations import statuses

    doubtful = {str(r["_id"]) for r in get_db().campaign_recipients.find({"state": "sending"}, {"_id": 1})}
    replayed = 0
    for _, _, ref, wamid in fake.log():
        if ref in doubtful:
            statuses.apply_now(account["_id"], wamid, "sent", clock.now(), client_ref=ref)
            replayed += 1
    return len(doubtful), replayed


def run(recipients, rate_recipients, write):
    from app import queues
    from app.db import get_db
    from app.services import clock
    from app.services.campaigns import campaign_progress, recovery

    fake = FakeMeta()
    redis = RedisServer()
    redis.start()
    figures = {"recipients": recipients}
    try:
        admin, account, template = build(redis.url, fake.url)

        # 1. Meta's standard tier.
        small = contact_list("Standard tier", rate_recipients, 0)
        campaign = create(admin, account, template, small, 80, "At 80/s")
        job, outcome = send_in_thread(campaign["_id"])
        job.join()
        times = [t for t, to, _, _ in fake.log()]
        figures["rate80"] = {"sent": len(times), "state": outcome["state"], "rate": achieved(times)}
        print("80/s:", figures["rate80"], flush=True)

        # 2 and 3. 100,000 at 1,000/s, killed halfway.
        big = contact_list("Everyone", recipients, 1_000_000)
        before = len(times)
        campaign = create(admin, account, template, big, 1000, "At 1,000/s")
        samples, done = [], threading.Event()

        def sample():
            while not done.wait(1):
                samples.append(rss_mb())

        started = time.monotonic()
        start_rss = rss_mb()
        job, outcome = send_in_thread(campaign["_id"])
        while get_db().campaigns.find_one({"_id": campaign["_id"]})["state"] == "preparing":
            time.sleep(0.2)
        figures["expansion_s"] = time.monotonic() - started
        figures["rss_after_expansion"] = rss_mb()
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        while fake.count() - before < recipients * KILL_AT:
            time.sleep(0.5)
        figures["held"] = kill_mid_run(fake, job)
        figures["killed_state"] = outcome.get("state")
        first_part = [t for t, _, _, _ in fake.log()[before:]]
        figures["doubtful"], figures["adopted"] = replay_statuses(fake, account)
        clock.advance(recovery.IN_DOUBT_FOR + timedelta(minutes=1))
        queues.get_queue("campaigns").empty()
        figures["resumed"] = recovery.resume_campaigns()
        figures["requeued"] = [j.id for j in queues.get_queue("campaigns").jobs]
        queues.get_queue("campaigns").empty()  # this process is the worker: it runs that job itself
        resumed_at, cpu_before = time.time(), cpu_seconds()
        job, outcome = send_in_thread(campaign["_id"])
        job.join()
        cpu_after = cpu_seconds()
        done.set()
        log = fake.log()[before:]
        second_part = [t for t, _, _, _ in log if t >= resumed_at]
        figures["cpu_ms_per_send"] = (cpu_after - cpu_before) * 1000 / max(1, len(second_part))
        counted = Counter(to for _, to, _, _ in log)
        expected = {f"1555{1_000_000 + n:07d}" for n in range(recipients)}
        figures.update(
            state=outcome["state"], rate_before=achieved(first_part), rate_after=achieved(second_part),
            sends=len(log), distinct=len(counted), twice=sum(1 for c in counted.values() if c > 1),
            missing=len(expected - set(counted)), unexpected=len(set(counted) - expected),
            progress=campaign_progress.progress(campaign["_id"]), start_rss=start_rss, rss=samples,
            seconds=time.monotonic() - started,
        )
        print({k: v for k, v in figures.items() if k != "rss"}, flush=True)
    finally:
        fake.stop()
        redis.stop()
    if write:
        write_section("campaign", "Campaign sending (100,000 recipients)", report(figures))
    return figures


def rss_line(samples):
    """Resident memory at a tenth, a quarter, half, three quarters and the end of the sending."""
    if not samples:
        return "no samples"
    picks = [samples[min(len(samples) - 1, int(len(samples) * share))] for share in (0.1, 0.25, 0.5, 0.75, 1.0)]
    return ", ".join(f"{mb:.0f} MB" for mb in picks) + f" (max {max(samples):.0f} MB)"


def report(f):
    rate80, r80_median = f["rate80"]["rate"]
    before, before_median = f["rate_before"]
    after, after_median = f["rate_after"]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    def within(rate, target):
        return "yes" if abs(rate - target) <= target * 0.05 else "no"

    return f"""
`python bench/campaign.py` — {f['recipients']:,} recipients through a fake Meta Cloud API (bench/fake_meta.py, real
HTTP on loopback, its own process) from one worker process (the embedded database, a real Redis, the
sending job's function in a thread with its 8 loops), on this 2-core machine, {stamp}.

| | configured | achieved (first to last send) | median of whole seconds | within 5 % |
|---|---|---|---|---|
| {f['rate80']['sent']:,} recipients | 80/s | {rate80:.1f}/s | {r80_median:.0f}/s | {within(rate80, 80)} |
| {f['recipients']:,} recipients, before the kill | 1,000/s | {before:.0f}/s | {before_median:.0f}/s | {within(before, 1000)} |
| the same, after the restart | 1,000/s | {after:.0f}/s | {after_median:.0f}/s | {within(after, 1000)} |

Expansion of the {f['recipients']:,} contacts into recipient records by the campaign's job: {f['expansion_s']:.1f} s.
Resident memory of the worker process (which also holds the embedded database: {f['recipients']:,} contacts and
as many recipient records): {f['start_rss']:.0f} MB before the campaign, {f['rss_after_expansion']:.0f} MB once
expanded; while sending: {rss_line(f['rss'])}.

What limits the rate at 1,000/s: this one process's CPU time, {f['cpu_ms_per_send']:.2f} ms per send after the
restart (claim, the shared rate in Redis, the provider call through requests, the record, the reply wait),
so one process sends at most about {1000 / f['cpu_ms_per_send']:.0f} a second on one core, less while the fake
API takes its share of the machine. More worker processes share the number's rate without exceeding it
(tests/campaigns/test_throttle.py runs two); the embedded database lives in one process, so that is for a
MongoDB server.

Kill at half the sends: {f['held']} sends held by the fake API when every sending thread was stopped; the
run ended `{f['killed_state']}`; {f['doubtful']} recipients were left in doubt (moved to `sending`, no
answer recorded), {f['adopted']} of them adopted by the provider's "sent" status carrying their reference;
the reconciler queued {f['resumed']} campaign again; the new run ended `{f['state']}`.
The fake API's log: {f['sends']:,} sends, {f['distinct']:,} distinct numbers, {f['twice']} sent twice,
{f['missing']} missing, {f['unexpected']} not in the campaign. Final counts: {f['progress']}.
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        run(5_000, 400, write=False)
    else:
        run(RECIPIENTS, RATE_CAMPAIGN, write=True)


if __name__ == "__main__":
    main()
