"""Parley's own CPU time per inbound message, apart from the embedded engine, and its round trips.

    .venv/bin/python bench/inbound_profile.py            # 2,000 messages, writes bench/RESULTS.md
    .venv/bin/python bench/inbound_profile.py --quick    # 300 messages, nothing written

Engine-independent figures of the inbound path, measured in one process with a real Redis: signed
Meta webhooks go through the webhook route (signature, parsing, the inbox in Redis: the ack), then
the drain applies them (the interaction, the message, the live event, the follow-up jobs queued).
Under cProfile (counting CPU time), the time spent inside the embedded engine (mongomock and app/embedded_engine) is set
apart from the rest, which is what Parley itself costs per message whatever the database; the
MongoDB round trips of a follow-up and of a new customer's first message are counted as a
MongoDB server would receive them.

The cost of a message by its conversation's length, in the same process: customers whose
conversations hold LONG messages and customers whose hold about SHORT, in alternating rounds (so
the machine's drift falls on both alike), over the same stored data; CPU time per message, the
median of the rounds.
"""

import argparse
import cProfile
import hashlib
import hmac
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.inbound_http import meta_body  # noqa: E402
from bench.results import write_section  # noqa: E402
from tools.devstack import RedisServer  # noqa: E402

CUSTOMERS = 50
LONG, SHORT = 2000, 10  # messages already in a conversation
LONG_CUSTOMERS, SHORT_CUSTOMERS, ROUNDS = 10, 200, 5
ENGINE_PATHS = (f"{os.sep}mongomock{os.sep}", f"app{os.sep}embedded_engine{os.sep}")


def build(redis_url):
    os.environ.update(
        REDIS_URL=redis_url,
        PARLEY_INSTANCE_DIR=tempfile.mkdtemp(),
        MONGO_URI="mongomock://localhost/bench",
        PARLEY_ASYNC_MODE="threading",
    )
    from app import create_app

    app = create_app("development")
    app.config["PARLEY_INBOUND_REORDER_MS"] = 0
    with app.app_context():
        from bench.pipeline_server import seed

        state = seed(agent_count=2)
    return app, state


def post(client, state, customer, n):
    body = meta_body(state["phone_number_id"], customer, f"wamid.PROFILE{n:09d}", f"Message {n} from the profile")
    signature = "sha256=" + hmac.new(state["app_secret"].encode(), body, hashlib.sha256).hexdigest()
    response = client.post(
        state["webhook_path"], data=body, headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(body)


def drain_all():
    """Apply every waiting event here, as a drain job would."""
    from app.services.channel import drain

    drain.drain()


def engine_share(profile):
    """(seconds inside the embedded engine, seconds in all) of a cProfile run."""
    stats = pstats.Stats(profile)
    total = engine = 0.0
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():
        total += own
        if any(part in filename for part in ENGINE_PATHS):
            engine += own
    return engine, total


def round_trips(app, client, state):
    from tests.support.round_trips import counting

    post(client, state, 7_000_001, 900_000_001)
    drain_all()
    with counting() as follow_up:
        post(client, state, 7_000_001, 900_000_002)
        drain_all()
    with counting() as first:
        post(client, state, 7_000_002, 900_000_003)
        drain_all()
    return follow_up, first


def measure(count):
    redis = RedisServer().start()
    try:
        app, state = build(redis.url)
        with app.app_context():
            client = app.test_client()
            for n in range(100):  # warm: every customer known, the caches filled
                post(client, state, n % CUSTOMERS, n)
            drain_all()
            profile = cProfile.Profile(time.process_time)  # CPU time: a wait for Redis's answer is not Parley's work
            cpu_started, wall_started = time.process_time(), time.perf_counter()
            profile.enable()
            for n in range(100, 100 + count):
                post(client, state, n % CUSTOMERS, n)
                if n % 10 == 9:
                    drain_all()
            drain_all()
            profile.disable()
            cpu, wall = time.process_time() - cpu_started, time.perf_counter() - wall_started
            unprofiled = _unprofiled_cpu(client, state, count)
            follow_up, first = round_trips(app, client, state)
            by_length = conversation_length(client, state, quick=count < 1000)
    finally:
        redis.stop()
    engine, total = engine_share(profile)
    parley_fraction = (total - engine) / total
    return {
        "count": count,
        "cpu_ms": cpu * 1000 / count,
        "wall_ms": wall * 1000 / count,
        "unprofiled_cpu_ms": unprofiled,
        "engine_fraction": engine / total,
        "parley_cpu_ms": unprofiled * parley_fraction,
        "follow_up": follow_up,
        "first": first,
        "by_length": by_length,
    }


def _unprofiled_cpu(client, state, count):
    """CPU ms per message of the same path without the profiler's overhead (customers already known)."""
    started = time.process_time()
    for n in range(10_000_000, 10_000_000 + count):
        post(client, state, n % CUSTOMERS, n)
        if n % 10 == 9:
            drain_all()
    drain_all()
    return (time.process_time() - started) * 1000 / count


def conversation_length(client, state, quick=False):
    """CPU ms per message to conversations of LONG messages and of about SHORT: the medians of
    alternating rounds, each round one message to each short customer and as many to the long ones."""
    long_size = LONG // 10 if quick else LONG
    long_ids = range(8_000_000, 8_000_000 + LONG_CUSTOMERS)
    short_ids = range(8_100_000, 8_100_000 + SHORT_CUSTOMERS)
    numbers = iter(range(20_000_000, 30_000_000))

    def send(customers, each):
        started = time.process_time()
        sent = 0
        for _ in range(each):
            for customer in customers:
                post(client, state, customer, next(numbers))
                sent += 1
                if sent % 10 == 0:
                    drain_all()
        drain_all()
        return (time.process_time() - started) * 1000 / sent

    send(long_ids, long_size)
    send(short_ids, SHORT)
    rounds = {"long": [], "short": []}
    for _ in range(ROUNDS):
        rounds["short"].append(send(short_ids, 1))
        rounds["long"].append(send(long_ids, SHORT_CUSTOMERS // LONG_CUSTOMERS))
    return {"long_size": long_size, **{kind: statistics.median(values) for kind, values in rounds.items()}, "rounds": rounds}


def report(result):
    return "\n".join(
        [
            "`python bench/inbound_profile.py` — one process, real Redis, the embedded engine; "
            f"{result['count']:,} signed Meta text webhooks from {CUSTOMERS} known customers through the webhook "
            "route (signature, parsing, the inbox: the ack) and the drain that applies them (interaction, message, "
            "live event, follow-up jobs queued), each message new. Each message is scored for sentiment as it is stored; "
            "the round's sentiment refresh and other jobs are queued, not run.",
            "",
            "| what | per message |",
            "|---|---|",
            f"| CPU, everything (without the profiler) | {result['unprofiled_cpu_ms']:.2f} ms |",
            f"| share inside the embedded engine (mongomock, app/embedded_engine; profiled) | {result['engine_fraction']:.0%} |",
            f"| **Parley's own CPU, the engine's internals excluded** | **{result['parley_cpu_ms']:.2f} ms** |",
            f"| MongoDB round trips, follow-up text of a known customer | {result['follow_up'].total} |",
            f"| MongoDB round trips, first message of a new customer | {result['first'].total} |",
            "",
            f"By the conversation's length ({ROUNDS} alternating rounds of {SHORT_CUSTOMERS} messages each, CPU per "
            "message, everything included):",
            "",
            "| conversations of | rounds | median | vs short |",
            "|---|---|---|---|",
            *(
                f"| {size:,} messages | {', '.join(f'{v:.2f}' for v in result['by_length']['rounds'][kind])} ms "
                f"| {result['by_length'][kind]:.2f} ms | {result['by_length'][kind] / result['by_length']['short']:.0%} |"
                for kind, size in (("short", SHORT), ("long", result["by_length"]["long_size"]))
            ),
            "",
            "Round trips, by collection and operation:",
            "",
            "```",
            f"follow-up: {result['follow_up']}",
            f"first message: {result['first']}",
            "```",
        ]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 messages, nothing written")
    args = parser.parse_args()
    result = measure(300 if args.quick else 2000)
    body = report(result)
    print(body)
    if not args.quick:
        write_section("inbound_profile", "Inbound message: Parley's own CPU and round trips", body)


if __name__ == "__main__":
    main()
