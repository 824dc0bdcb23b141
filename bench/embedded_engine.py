"""Cost per write and per indexed read of the embedded engine, by collection size, with and without
its index maps (app/embedded_engine/indexed.py).

    .venv/bin/python bench/embedded_engine.py [--quick]

"plain" is mongomock as Parley wrapped it before the maps (server rules and the write lock, a full
scan for every unique check, TTL pass and query); "maps" is the engine `make run` opens. Both run
in this one process on the same data: for each size a fresh collection is filled, its indexes are
created, then each operation is timed (median per operation). Prints the table and writes its
section of bench/RESULTS.md.

A second table times the update every inbound message makes to its interaction (app/services/
conversations/inbound.py: a new last message, counters, new words added to `search_terms`) on an
interaction holding 100 to 5,000 search terms, with every interaction index app/db.py declares:
"plain", "maps" and "maps, re-keying all", the engine made to forget, before each update, the
values it last indexed (so it computes every field's keys and every map's, as it did before it
kept them). Written to its own section of bench/RESULTS.md.
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

from app.db import INDEXES as APP_INDEXES  # noqa: E402
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


TERM_COUNTS = (100, 1_000, 5_000)
INTERACTIONS = 100  # per collection, one of which is updated
UPDATE_ENGINES = ("plain", "maps, re-keying all", "maps")


def interaction(n, terms):
    now = datetime.now(UTC).replace(tzinfo=None)
    return {
        "_id": ObjectId(),
        "account_id": ACCOUNT,
        "contact_id": ObjectId(),
        "contact": {"name": f"Customer {n}", "phone": f"+3361234{n:04d}"},
        "is_open": True,
        "status": "assigned",
        "queue_id": ObjectId(),
        "agent_id": ObjectId(),
        "first_agent_id": ObjectId(),
        "created_at": now,
        "window_expires_at": now,
        "window_expired": False,
        "last_message": {"at": now, "text": "x" * 80},
        "tags": ["vip"],
        "unread": 0,
        "seq": 0,
        "search_terms": [f"word{n}x{i}" for i in range(terms)],
        "search_terms_count": terms,
    }


def append_update(n):
    """The update an inbound message makes to its open interaction: two new words, one known."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return {
        "$set": {"last_message": {"at": now, "text": f"new word{n} and more{n} word0x1"}, "updated_at": now},
        "$max": {"window_expires_at": now},
        "$inc": {"unread": 1, "seq": 1, "search_terms_count": 3},
        "$addToSet": {"search_terms": {"$each": [f"new{n}", f"more{n}", "word0x1"]}},
    }


def measure_updates(db, terms, repeat, forget=False):
    """Median ms of the interaction update on a collection of interactions holding `terms` terms each."""
    db.interactions.drop()
    db.interactions.insert_many([interaction(n, terms) for n in range(INTERACTIONS)])
    for spec in APP_INDEXES:
        if spec.collection == "interactions":
            db.interactions.create_index(list(spec.keys), name=spec.name, **spec.create_options)
    key = {"account_id": ACCOUNT, "contact.phone": interaction(0, 0)["contact"]["phone"], "is_open": True}
    durations = []
    for n in range(repeat):
        if forget:
            db.interactions._store._indexed.clear()
        start = time.perf_counter()
        updated = db.interactions.find_one_and_update(key, append_update(n), projection={"search_terms": 0})
        durations.append((time.perf_counter() - start) * 1000)
        assert updated is not None
    assert db.interactions.count_documents({"search_terms": f"new{repeat - 1}"}) == 1
    return statistics.median(durations)


def update_table(quick):
    engines = {"plain": mongomock.MongoClient().bench_updates, "maps": open_client().bench_updates}
    figures = {}
    for terms in TERM_COUNTS:
        for engine in UPDATE_ENGINES:
            db = engines["plain" if engine == "plain" else "maps"]
            figures[engine, terms] = measure_updates(db, terms, 20 if quick else 100, forget=engine == "maps, re-keying all")
        print(f"{terms:>5} terms: " + ", ".join(f"{figures[e, terms]:.3f}" for e in UPDATE_ENGINES), flush=True)
    rows = ["| search terms of the interaction | " + " | ".join(UPDATE_ENGINES) + " |", "|---" * (1 + len(UPDATE_ENGINES)) + "|"]
    for terms in TERM_COUNTS:
        rows.append(f"| {terms:,} | " + " | ".join(f"{figures[e, terms]:.3f}" for e in UPDATE_ENGINES) + " |")
    return "\n".join(rows)


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
    parser.add_argument("--updates", action="store_true", help="the interaction update table only")
    args = parser.parse_args()
    updates = update_table(args.quick)
    print(updates)
    write_section(
        "embedded-engine-updates",
        "Embedded engine: the update of an interaction by its search terms",
        "`python bench/embedded_engine.py` — median ms of the `find_one_and_update` an inbound message "
        "makes to its open interaction (new last message, counters, three words added to "
        f"`search_terms`), found by account and number among {INTERACTIONS} interactions holding as "
        "many search terms as the row says, with every interaction index app/db.py declares. `plain`: "
        "mongomock as wrapped before the index maps; `maps`: the engine `make run` opens, which re-keys "
        "only the fields an update changed; `maps, re-keying all`: the same engine made to forget the "
        "values it last indexed before each update, so it computes every field's and every map's keys "
        "again, as it did before it kept them. Same process, one after the other on a 2-core machine "
        "shared with other work.\n\n" + updates,
    )
    if args.updates:
        return
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
