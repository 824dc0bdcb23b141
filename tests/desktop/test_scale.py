"""Scale in the browser: a 5,000-message conversation and 20 open tabs in Chromium.

The test checks behaviour (the latest page opens, older pages load, every tab counts its unread
messages); it asserts no timings. `python bench/desktop_browser.py` runs it with
PARLEY_BENCH_RESULTS=1, and then the figures it measured are written to bench/RESULTS.md.
"""

import os
import statistics
import time
from datetime import timedelta

from playwright.sync_api import expect

from app.db import INDEXES, ensure_indexes, get_db
from app.domain import messages as msgs
from app.services import clock
from app.services.conversations import routing
from bench.results import write_section
from tests.desktop.conftest import says
from tests.desktop.support import interaction_of

LONG = 5000
TABS = 20

# Runs in the page: open a tab and wait until its first page of messages is drawn.
OPEN_TIMED = """async (id) => {
  const t0 = performance.now();
  const tab = window.parley.desktop.openTab(id, { focus: true });
  while (!tab.conversation.rows.size) await new Promise((r) => requestAnimationFrame(r));
  await new Promise((r) => requestAnimationFrame(r));
  return performance.now() - t0;
}"""
OLDER_TIMED = """async () => {
  const c = window.parley.desktop.current.conversation;
  const before = c.rows.size;
  const t0 = performance.now();
  c.scroller.scrollTop = 0;
  while (c.rows.size === before) await new Promise((r) => requestAnimationFrame(r));
  await new Promise((r) => requestAnimationFrame(r));
  return performance.now() - t0;
}"""
# Scroll through what is loaded, one step per frame; the frame times say whether it is smooth.
SCROLL_FRAMES = """async () => {
  const s = window.parley.desktop.current.conversation.scroller;
  const times = [];
  let last = performance.now();
  for (let i = 0; i < 120; i++) {
    s.scrollTop = s.scrollHeight * (1 - i / 120);
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now();
    times.push(now - last);
    last = now;
  }
  times.sort((a, b) => a - b);
  return { median: times[60], p95: times[113], max: times[119] };
}"""
SWITCH_TIMED = """async (id) => {
  const d = window.parley.desktop;
  const t0 = performance.now();
  d.show(d.tabs.get(id));
  await new Promise((r) => requestAnimationFrame(r));
  return performance.now() - t0;
}"""


def bulk_load(messages):
    """Store many messages at once. The embedded engine checks a unique index by scanning the whole
    collection at every insert, so its unique indexes are created again after the load (one pass)."""
    collection = get_db().messages
    unique = [spec.name for spec in INDEXES if spec.collection == "messages" and spec.options.get("unique")]
    for name in unique:
        collection.drop_index(name)
    collection.insert_many(messages)
    ensure_indexes()


def long_conversation(account, agent, phone="+447700901000"):
    """One conversation with LONG messages over 10 days (stored directly: this measures the browser)."""
    says(account, phone, "message 0", name="Lena Long")
    interaction = interaction_of(phone)
    routing.accept(agent, interaction["_id"])
    start = clock.now() - timedelta(days=10)
    batch = []
    for n in range(1, LONG):
        inbound = n % 3 != 0
        batch.append(
            {
                "id": msgs.new_id(),
                "direction": "in" if inbound else "out",
                "author": "customer" if inbound else "agent",
                "kind": "text",
                "text": f"message {n}: " + "lorem ipsum dolor sit amet " * (1 + n % 4),
                "at": start + timedelta(minutes=3 * n),
                "reactions": {},
                "provider_message_id": f"wamid.long{n}",
                **(
                    {}
                    if inbound
                    else {"status": "read", "status_rank": 3, "agent": {"id": str(agent["_id"]), "name": agent["name"]}}
                ),
            }
        )
    bulk_load(
        [{**m, "interaction_id": interaction["_id"], "account_id": account["_id"], "position": n} for n, m in enumerate(batch, 1)]
    )
    get_db().interactions.update_one(
        {"_id": interaction["_id"]}, {"$inc": {"messages_len": len(batch), "message_count": len(batch)}}
    )
    return str(interaction["_id"])


def test_a_long_conversation_and_twenty_tabs_stay_fast(team, desktop):
    alice_user, account = team["alice"], team["sandbox"]
    long_id = long_conversation(account, alice_user)
    others = []
    for n in range(TABS - 1):
        phone = f"+4477009020{n:02d}"
        says(account, phone, f"Customer {n} says hello", name=f"Customer {n}")
        others.append(str(routing.accept(alice_user, interaction_of(phone)["_id"])["_id"]))
    alice = desktop(alice_user)

    started = time.monotonic()
    open_ms = alice.evaluate(OPEN_TIMED, long_id)
    pane = alice.locator("[data-testid=pane]:visible")
    expect(pane.get_by_test_id("message").last).to_contain_text(f"message {LONG - 1}:")
    end_to_end = (time.monotonic() - started) * 1000
    older = [alice.evaluate(OLDER_TIMED) for _ in range(10)]
    expect(pane.get_by_test_id("message")).to_have_count(550)
    frames = alice.evaluate(SCROLL_FRAMES)

    tab_open = [alice.evaluate(OPEN_TIMED, iid) for iid in others]
    expect(alice.get_by_test_id("tab")).to_have_count(TABS)
    switches = [alice.evaluate(SWITCH_TIMED, iid) for iid in [*others, long_id] * 2]
    alice.evaluate(SWITCH_TIMED, others[0])
    latencies = []
    for n in range(5):  # a message for a tab in the background: its badge counts it
        t0 = time.monotonic()
        says(account, "+447700901000", f"live {n}")
        expect(alice.get_by_test_id("tab").filter(has_text="Lena Long").get_by_test_id("unread-badge")).to_have_text(str(n + 1))
        latencies.append((time.monotonic() - t0) * 1000)
    heap = alice.evaluate("performance.memory ? Math.round(performance.memory.usedJSHeapSize / 1048576) : null")
    if os.environ.get("PARLEY_BENCH_RESULTS") != "1":
        return

    ms = lambda v: f"{v:.0f} ms"  # noqa: E731
    frame_times = " / ".join(ms(frames[k]) for k in ("median", "p95", "max"))
    write_section(
        "desktop",
        "Agent desktop in the browser",
        f"""
Measured by `python bench/desktop_browser.py` (it runs `tests/desktop/test_scale.py`, which measures), headless
Chromium at 1280×800, live server with the embedded database and real Redis, on the test machine.

| what | figure |
|---|---|
| open a {LONG:,}-message conversation (latest page of 50 drawn), in the page | {ms(open_ms)} |
| same, from the test's call to the last message visible | {ms(end_to_end)} |
| load an older page of 50 while scrolling up (median of 10 / max) | {ms(statistics.median(older))} / {ms(max(older))} |
| scrolling through 550 loaded messages, frame time median / p95 / max | {frame_times} |
| open each of {TABS - 1} more tabs (median / max) | {ms(statistics.median(tab_open))} / {ms(max(tab_open))} |
| switch tab with {TABS} tabs open (median / max of {len(switches)}) | {ms(statistics.median(switches))} / {ms(max(switches))} |
| customer message → unread badge in a background tab, {TABS} tabs open (median of 5) | {ms(statistics.median(latencies))} |
| JavaScript heap with {TABS} tabs open | {heap if heap is not None else "n/a"} MB |

Only the latest page is fetched when a conversation opens; older pages come as the agent scrolls up, so
opening does not depend on the conversation's length. The server side of these figures is the embedded
database (see the engine section): on MongoDB the page is one indexed `$slice` read.
""",
    )
