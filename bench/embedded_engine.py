"""Cost per write and per indexed read of the embedded engine, by collection size, with and without
its index maps (app/embedded_engine/indexed.py).

    .venv/bin/python bench/embedded_engine.py [--quick]

"plain" is mongomock as Parley wrapped it before the maps (server rules and the write lock, a full
scan for every unique check, TTL pass and query); "maps" is the engine `make run` opens. Both run
in this one process on the same data: for each size a fresh collection is filled, its indexes are
created, then each operation is timed (median per operation). Prints the table and writes its
section of bench/RESULTS.md.
"""

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mongomock  # noqa: E402
from bson import ObjectId  # noqa: E402

from app.embedded_engine import open_client  # noqa: E402
from bench.results import write_section  # noqa: E402

SIZES = (1_000, 10_000, 50_000)
DAY = 24 * 3600
ACCOUNT = ObjectId()

# The collections every inbound message writes to, with the indexes app/db.py declares for them,
# and the `messages` collection of one document per message (issue 13, point 1).
INDEXES = {
    "webhook_events": [([("at", 1)], {"expireAfterSeconds": 8 * DAY})],
    "messages": [
        ([("interaction_id", 1), ("position", 1)], {"unique": True}),
        (
            [("account_id", 1), ("provider_message_id", 1), ("direction", 1)],
            {"unique": True, "partialFilterExpression": {"provider_message_id": {"$type": "string"}}},
        ),
    ],
}


def documents(collection, n, start=0):
    now = datetime.now(UTC)
    for i in range(start, start + n):
        if collection == "webhook_events":
            yield {"_id": f"meta:wamid.{i}", "at": now}
        else:
            yield {
                "interaction_id": i // 20,
                "position": i % 20,
                "account_id": ACCOUNT,
                "provider_message_id": f"wamid.{i}",
                "direction": "in",
                "text": "x" * 80,
                "at": now,
            }


def operations(db, size=SIZES[0]):
    """name -> (function of a fresh number n, collection); reads and updates find what they look for."""
    interactions = size // 20
    return {
        "insert webhook_events (dedup key, TTL)": (
            lambda n: db.webhook_events.insert_one(next(documents("webhook_events", 1, 10**7 + n))),
            "webhook_events",
        ),
        "insert messages (2 unique, 1 partial)": (
            lambda n: db.messages.insert_one(next(documents("messages", 1, 10**7 + n))),
            "messages",
        ),
        "find_one message by provider id": (
            lambda n: db.messages.find_one(
                {"account_id": ACCOUNT, "provider_message_id": f"wamid.{n * 7 % size}", "direction": "in"}
            ),
            "messages",
        ),
        "update_one message by (interaction, position)": (
            lambda n: db.messages.update_one({"interaction_id": n % interactions, "position": 3}, {"$set": {"status": "read"}}),
            "messages",
        ),
    }


def fill(db, size):
    for name, indexes in INDEXES.items():
        db[name].drop()
        db[name].insert_many(list(documents(name, size)))
        for keys, options in indexes:
            db[name].create_index(keys, **options)


def measure(db, size, repeat):
    fill(db, size)
    figures = {}
    for name, (operation, _) in operations(db, size).items():
        durations = []
        for n in range(repeat):
            start = time.perf_counter()
            operation(n)
            durations.append((time.perf_counter() - start) * 1000)
        figures[name] = statistics.median(durations)
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1k and 10k documents only, fewer repeats")
    args = parser.parse_args()
    sizes = SIZES[:2] if args.quick else SIZES
    engines = {"plain": mongomock.MongoClient().bench, "maps": open_client().bench}  # open_client wraps both
    results = {}
    for size in sizes:
        for engine, db in engines.items():
            repeat = 200 if engine == "maps" else max(10, 20_000 // size)
            results[engine, size] = measure(db, size, repeat)
            print(f"{engine:5} {size:>6} docs: " + ", ".join(f"{v:.3f}" for v in results[engine, size].values()), flush=True)
    header = "| operation | " + " | ".join(f"plain {s:,} | maps {s:,}" for s in sizes) + " |"
    rows = [header, "|---" * (1 + 2 * len(sizes)) + "|"]
    for name in operations(None):
        cells = " | ".join(f"{results['plain', s][name]:.3f} | {results['maps', s][name]:.3f}" for s in sizes)
        rows.append(f"| {name} | {cells} |")
    table = "\n".join(rows)
    print(table)
    write_section(
        "embedded-engine",
        "Embedded engine: cost per operation by collection size",
        "`python bench/embedded_engine.py` — median ms per operation, each collection filled to the "
        "size given (documents of the shape Parley stores) with the indexes app/db.py declares for it. "
        "`plain`: mongomock as wrapped before the index maps (a full scan for every unique check, TTL pass "
        "and query); `maps`: the engine `make run` opens (app/embedded_engine/indexed.py). Same process, "
        "same data, one after the other on a 2-core machine shared with other work.\n\n" + table,
    )


if __name__ == "__main__":
    main()
