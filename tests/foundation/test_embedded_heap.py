"""The serving process of the embedded database keeps full garbage collections short: after each
one the survivors (the stored documents among them) are frozen, and now and then handed back.

Run in a child process: freezing this test process's objects would keep them for the whole run."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import gc, time
from app.embedded_engine import heap

heap.install(refreeze_seconds=0.5)
frozen_at_start = gc.get_freeze_count()
documents = [{"text": f"message {n}", "reactions": {}, "sentiment": {"label": "Neutral"}} for n in range(50_000)]
gc.collect()  # a full collection: the survivors join the frozen ones
frozen_after = gc.get_freeze_count()
walked = []
gc.callbacks.insert(0, lambda phase, info: phase == "start" and walked.append(len(gc.get_objects(2))))
gc.collect()
time.sleep(0.6)
gc.collect()  # past the period: handed back instead of frozen
thawed = gc.get_freeze_count()
gc.collect()  # and frozen again by the next one
refrozen = gc.get_freeze_count()
print(frozen_at_start > 0, frozen_after - frozen_at_start >= 50_000, walked[0] < 1_000, thawed == 0, refrozen >= 50_000)
"""


def test_full_collections_walk_only_what_came_since_the_last_one_and_thaw_now_and_then():
    result = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"] * 5, result.stdout
