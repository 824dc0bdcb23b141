"""Sends per second per worker: agents' text messages sent by RQ jobs to a fake Meta Cloud API.

    .venv/bin/python bench/outbound.py            # 3 rounds of 1,000 sends, and the fork cost (about 2 minutes)
    .venv/bin/python bench/outbound.py --quick    # 200 sends, one round; figures not written

The fake API (bench/fake_meta.py) is a real HTTP server on loopback in a process of its own,
answering each send at once. This process holds the embedded database (with a real Redis of its
own): 50 customers write, an admin accepts their conversations and composes the messages, which
queues one `send-message` job each, as the desktop does. Then one RQ worker works the `outbound`
queue in burst mode until it is empty (`SimpleWorker`: the job runs in the worker's process, since
the embedded database cannot be shared with a forked one). Measured: sends per second of the
worker, from the first job taken to the queue empty, counted in the fake API's log.

A production worker (`python -m workers.worker`, RQ's `Worker`) forks a work horse per job, which
opens its own MongoDB client. The second figure is that fork's cost: the same worker class working
a queue of no-op jobs, jobs per second. A send in production costs about the sum of the two (plus
the MongoDB round trips the embedded engine does not have).
"""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.campaign import FakeMeta, build, rss_mb  # noqa: E402
from bench.results import arguments, write_section  # noqa: E402
from tools.devstack import RedisServer  # noqa: E402

CUSTOMERS = 50


def conversations(admin, account, count):
    """`count` customers' conversations, accepted by the admin; their ids."""
    from app.db import get_db
    from app.providers.events import InboundMessage
    from app.services import clock
    from app.services.conversations import inbound, routing

    ids = []
    for n in range(count):
        phone = f"+1555300{n:04d}"
        event = InboundMessage(provider="meta", provider_message_id=f"wamid.BENCHIN{n}", sender=phone, kind="text",
                               timestamp=clock.now(), text="Where is my order?", profile_name=f"Customer {n}")  # fmt: skip
        inbound.ingest(account, [event])
        interaction = get_db().interactions.find_one({"contact.phone": phone, "is_open": True})
        ids.append(routing.accept(admin, interaction["_id"])["_id"])
    return ids


def bind_jobs_to_this_app():
    """Jobs run here use the app build() pushed, whose embedded database holds the messages."""
    import logging

    from flask import current_app

    from workers.context import bind

    bind(current_app._get_current_object())
    logging.getLogger("workers").setLevel(logging.WARNING)


def send_round(admin, interaction_ids, sends, fake):
    """Compose `sends` messages over the conversations, then time one worker sending them."""
    from rq import SimpleWorker

    from app import queues
    from app.services.conversations import outbound

    for n in range(sends):
        outbound.compose(admin, interaction_ids[n % len(interaction_ids)], {"text": f"Your order {n} is on its way"})
    queued, before = queues.get_queue("outbound").count, fake.count()
    started = time.monotonic()
    SimpleWorker(["outbound"], connection=queues.worker_redis()).work(burst=True, logging_level="WARNING")
    seconds = time.monotonic() - started
    sent = fake.count() - before
    if sent != sends:
        raise RuntimeError(f"{sent} of {sends} messages reached the fake API ({queued} jobs were queued)")
    return {"sends": sent, "seconds": seconds, "per_second": sent / seconds}


def noop_round(jobs, forking):
    """Jobs per second of RQ's forking Worker (or of SimpleWorker) on no-op jobs: RQ's own cost per
    job, and with `forking` a work horse forked per job."""
    from rq import SimpleWorker, Worker

    from app import queues

    queue = queues.get_queue("maintenance")
    for _ in range(jobs):
        queue.enqueue("os.getpid")
    started = time.monotonic()
    (Worker if forking else SimpleWorker)(["maintenance"], connection=queues.worker_redis()).work(
        burst=True, logging_level="WARNING"
    )
    return jobs / (time.monotonic() - started)


def footprint(account, interaction_ids):
    """What each message keeps, once its "delivered" and "read" statuses came: bytes of Redis (the live
    events kept for browsers that reconnect) and of its MongoDB document (BSON, before the server's
    compression and without indexes)."""
    import bson

    from app import queues
    from app.db import get_db
    from app.providers.events import StatusUpdate
    from app.services import clock
    from app.services.conversations import inbound, live

    messages = list(get_db().messages.find({"account_id": account["_id"]}))
    for status in ("delivered", "read"):
        inbound.ingest(account, [
            StatusUpdate(provider="meta", provider_message_id=m["provider_message_id"], status=status, timestamp=clock.now())
            for m in messages if m["direction"] == "out" and m.get("provider_message_id")
        ])  # fmt: skip
    redis = queues.get_redis()
    kept = sum(redis.memory_usage(live.log_key(i), samples=0) or 0 for i in interaction_ids)
    stored = [len(bson.encode(m)) for m in get_db().messages.find({"account_id": account["_id"]})]
    return {"messages": len(stored), "redis_per_message": kept / len(stored), "bson_per_message": statistics.mean(stored)}


def report(rounds, simple, forks, rss, kept):
    send_median = statistics.median(r["per_second"] for r in rounds)
    simple_median, fork_median = statistics.median(simple), statistics.median(forks)
    # A forked horse replaces the job's run in the worker's own process: add the difference per job.
    combined = 1 / (1 / send_median + 1 / fork_median - 1 / simple_median)
    lines = [
        "`python bench/outbound.py` — agents' text messages composed as the desktop does (one `send-message` "
        "job each), sent by one RQ worker (burst mode, the job in the worker's process) to a fake Meta Cloud API "
        "on loopback answering at once (bench/fake_meta.py, its own process); the embedded engine and a real "
        f"Redis; {CUSTOMERS} conversations; a 2-core machine shared with other work.",
        "",
        "| round | sends | seconds | sends/s |",
        "|---|---|---|---|",
    ]
    lines += [f"| {n} | {r['sends']:,} | {r['seconds']:.1f} | {r['per_second']:.0f} |" for n, r in enumerate(rounds, 1)]
    lines += [
        f"| median | | | **{send_median:.0f}** |",
        "",
        f"No-op jobs, to see RQ's own cost: `SimpleWorker` {', '.join(f'{f:.0f}' for f in simple)} jobs/s (median "
        f"{simple_median:.0f}); RQ's forking `Worker` (what `python -m workers.worker` runs) "
        f"{', '.join(f'{f:.0f}' for f in forks)} jobs/s (median {fork_median:.0f}): a work horse forked per job, "
        f"{1000 / fork_median - 1000 / simple_median:.0f} ms more per job, forked from this process of {rss:.0f} MB "
        "(the embedded database and the app; its pages are copied as the horse writes to them). "
        f"A send with a work horse of its own: about **{combined:.0f} sends/s per worker process**, "
        "before the MongoDB round trips (a few per send) and a real provider's answer time "
        "(Meta's API answers in tens to hundreds of milliseconds: a worker waits for it, so a production "
        "worker sends fewer per second than this, and more workers on the `outbound` queue send in parallel).",
        "",
        f"What each message keeps, over the {kept['messages']:,} messages of this run (one customer message per "
        'conversation, the rest agents\' text messages, each then "delivered" and "read"): '
        f"**{kept['redis_per_message'] / 1024:.1f} KiB of Redis** (the live events kept for browsers that reconnect: "
        "the message's event and its status events, for `PARLEY_LIVE_EVENTS_TTL_SECONDS` after the conversation's "
        f"last event) and a MongoDB document of {kept['bson_per_message'] / 1024:.1f} KiB (BSON, before the "
        "server's compression, without its indexes).",
    ]
    return "\n".join(lines)


def main():
    args = arguments(__doc__, "200 sends, one round; nothing written").parse_args()
    sends, rounds_count = (200, 1) if args.quick else (1000, 3)
    redis, fake = RedisServer().start(), FakeMeta()
    try:
        admin, account, _ = build(redis.url, fake.url)
        bind_jobs_to_this_app()
        interaction_ids = conversations(admin, account, CUSTOMERS)
        rounds = []
        for _ in range(rounds_count):
            rounds.append(send_round(admin, interaction_ids, sends, fake))
            print(f"{rounds[-1]['sends']} sends in {rounds[-1]['seconds']:.1f} s", flush=True)
        rss = rss_mb()
        simple, forks = [], []
        for _ in range(rounds_count):  # alternated, so that the machine's drift falls on both alike
            simple.append(noop_round(200, forking=False))
            forks.append(noop_round(200, forking=True))
        kept = footprint(account, interaction_ids)
    finally:
        fake.stop()
        redis.stop()
    body = report(rounds, simple, forks, rss, kept)
    print(body)
    if not args.quick:
        write_section("outbound", "Sends per second per worker", body)


if __name__ == "__main__":
    main()
