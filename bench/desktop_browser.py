"""The agent desktop at scale in headless Chromium: a 5,000-message conversation, 20 open tabs.

    .venv/bin/python bench/desktop_browser.py

Runs tests/desktop/test_scale.py (which sets up the data and measures in the page) with
PARLEY_BENCH_RESULTS=1, so the figures go to bench/RESULTS.md; prints that section.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    env = {**os.environ, "PARLEY_BENCH_RESULTS": "1"}
    command = [
        sys.executable,
        "-m",
        "tools.devstack",
        "test",
        "-c",
        "config/pytest.ini",
        "--rootdir",
        ".",
        "tests/desktop/test_scale.py",
        "-q",
    ]
    code = subprocess.call(command, cwd=ROOT, env=env)
    text = (ROOT / "bench" / "RESULTS.md").read_text()
    start = text.find("<!-- desktop -->")
    print(text[start : text.find("<!-- /desktop -->") + 17] if start >= 0 else "no desktop section written")
    return code


if __name__ == "__main__":
    sys.exit(main())
