"""Parley's own processes started by tests: their output in a file, in a session of their own (to signal the group)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start(args, env, log_path):
    """`python <args>` in the checkout with `env`, writing stdout and stderr to `log_path`."""
    with Path(log_path).open("w") as log:
        return subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
