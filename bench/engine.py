"""Engine throughput on the embedded database: storing customer messages and listing interactions.

    .venv/bin/python -m tools.devstack test -- ...   (not needed: this script starts its own Redis)
    .venv/bin/python bench/engine.py

Prints the figures and writes its section of bench/RESULTS.md. The embedded engine scans a
collection for every query, so the figures are given per data size; on a real MongoDB server the
same queries are index-backed (tests/engine/test_index_coverage.py).
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from app.services.conversations import (
    inbound,
    routing,  # noqa: E402
)
from app.services.reading import interaction_queries
from bench.results import write_section  # noqa: E402
from config import TestingConfig  # noqa: E402
from tests.support.builders import make_user  # noqa: E402
from tests.support.engine import customer_says, make_queue, make_sandbox_account  # noqa: E402
from tools.devstack import RedisServer  # noqa: E402

SIZES = (100, 1000)
SAMPLES = 200


def timed(func, repeat):
    durations = []
    for n in range(repeat):
        start = time.perf_counter()
        func(n)
        durations.append((time.perf_counter() - start) * 1000)
    return statistics.median(durations), sorted(durations)[int(len(durations) * 0.9) - 1]


def run_size(size):
    config = TestingConfig()
    with RedisServer() as redis:
        config.REDIS_URL = redis.url
        create_app(config)
        agent = make_user("admin")
        account = make_sandbox_account(make_queue([agent["_id"]]))
        for n in range(size):  # existing conversations, one message each
            inbound.ingest(account, customer_says(account, f"+4477009{n:05d}", f"existing {n}"))
        new_customer = timed(lambda n: inbound.ingest(account, customer_says(account, f"+4477008{n:05d}", "new")), SAMPLES)
        follow_up = timed(lambda n: inbound.ingest(account, customer_says(account, "+447700800000", f"more {n}")), SAMPLES)
        accept_rows = [r["_id"] for r in interaction_queries.list_interactions(agent, {"status": "queued", "per_page": "100"})[0]]
        accept = timed(lambda n: routing.accept(agent, accept_rows[n % len(accept_rows)]) if n < len(accept_rows) else None, 50)
        listing = timed(lambda n: interaction_queries.list_interactions(agent, {"q": "existing", "per_page": "25"}), 50)
    return {"new": new_customer, "follow": follow_up, "accept": accept, "list": listing}


def main():
    rows = []
    for size in SIZES:
        figures = run_size(size)
        rows.append((size, figures))
        print(f"{size} interactions: " + ", ".join(f"{k} median {v[0]:.2f} ms p90 {v[1]:.2f} ms" for k, v in figures.items()))
    table = [
        "| interactions already stored | new customer message | follow-up message | accept | list page (search) |",
        "|---|---|---|---|---|",
    ]
    for size, f in rows:
        table.append(
            f"| {size} | "
            + " | ".join(f"{f[k][0]:.2f} ms (p90 {f[k][1]:.2f})" for k in ("new", "follow", "accept", "list"))
            + " |"
        )
    body = (
        "`python bench/engine.py` — embedded engine (mongomock), real Redis, one process, medians over "
        f"{SAMPLES} messages (50 accepts and list pages). A message includes dedup, contact upsert, interaction "
        "update and the live event (published through Redis).\n\n"
        + "\n".join(table)
        + "\n\nThe embedded engine scans whole collections, so times grow with the data; that is why it is for trying "
        "Parley out and for tests. On a real MongoDB server every one of these queries is index-backed."
    )
    write_section("engine", "Interaction engine (embedded database)", body)


if __name__ == "__main__":
    main()
