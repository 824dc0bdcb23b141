"""One number's sending rate, shared by every process that sends for it (real Redis, real processes)."""

import subprocess
import sys
import time
from pathlib import Path

from app.services.campaigns import throttle

ROOT = Path(__file__).resolve().parents[2]


def most_in_any_window(moments, window):
    moments = sorted(moments)
    most, start = 0, 0
    for end, moment in enumerate(moments):
        while moment - moments[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


def test_two_processes_sending_for_one_number_share_its_rate(app, redis_url):
    rate, seconds = 40, 3
    senders = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.campaigns.throttle_sender", redis_url, "number-1", str(rate), str(seconds)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]
    outputs = [sender.communicate(timeout=60)[0] for sender in senders]
    assert all(sender.returncode == 0 for sender in senders)
    moments = [[float(line) for line in output.split()] for output in outputs]
    assert all(mine for mine in moments), "both processes got to send"
    together = [moment for mine in moments for moment in mine]
    # Never more than the rate in any second, whoever sends (one extra for the moment a process
    # prints after Redis allowed it); and the rate is used, not starved.
    assert most_in_any_window(together, 1.0) <= rate + 1
    assert len(together) >= rate * seconds * 0.6


def test_a_provider_asking_to_slow_down_holds_every_sender(app):
    assert throttle.take("number-2", 1000) == 0
    throttle.hold("number-2", 2)
    waits = [throttle.take("number-2", 1000) for _ in range(3)]
    assert all(1.5 < wait <= 2.0 for wait in waits), waits
    assert throttle.take("number-3", 1000) == 0, "another number is not held"


def test_a_burst_lets_that_many_go_at_once_then_the_rate_applies(app):
    allowed = [throttle.take("number-4", 10, burst=3) for _ in range(5)]
    assert allowed[:3] == [0, 0, 0] and all(0 < wait <= 0.1 for wait in allowed[3:]), allowed
    time.sleep(0.11)
    assert throttle.take("number-4", 10, burst=3) == 0
