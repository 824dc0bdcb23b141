"""Garbage collection in the process that holds the embedded database.

The embedded engine keeps every stored document as Python objects in this process, so the heap
grows with the data, and each full collection (generation 2) walks all of it: pauses of 50 to
150 ms every few seconds under load, growing with what is stored, during which no webhook is
answered and no message pushed (measured by bench/inbound_http.py). Stored documents live long:
after each full collection the survivors are moved out of the collector's reach (`gc.freeze`),
so the next full collection walks only what came since. Every `refreeze_seconds` the frozen
objects are handed back, and the next full collection walks everything once, so that garbage
cycles frozen while still in use are reclaimed too.

Only the serving process installs this (wsgi.serve): a test process creates and drops many apps.
"""

import gc
import time

_state = {"installed": False, "thawed_at": 0.0, "refreeze_seconds": 600.0}


def install(refreeze_seconds=600.0):
    """Freeze the survivors of every full collection from now on (once per process)."""
    _state["refreeze_seconds"] = refreeze_seconds
    _state["thawed_at"] = time.monotonic()
    if not _state["installed"]:
        gc.callbacks.append(_after_collection)
        _state["installed"] = True
    gc.collect()  # what start-up left behind, then the first freeze


def _after_collection(phase, info):
    if phase != "stop" or info["generation"] != 2:
        return
    now = time.monotonic()
    if now - _state["thawed_at"] >= _state["refreeze_seconds"]:
        gc.unfreeze()  # the next full collection walks everything once
        _state["thawed_at"] = now
        return
    gc.freeze()
