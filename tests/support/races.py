"""Threads run against each other as a loaded server would run them."""

import sys


def run_racing(threads):
    """Start `threads` and wait for them all, the interpreter switching between threads as often as it
    can, so that a race between them shows at once rather than once in many runs."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
