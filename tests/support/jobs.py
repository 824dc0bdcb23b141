"""Job functions used only by tests (importable by the embedded worker, which shares the process)."""

from app import queues
from workers.system import record_probe


def fail_once_then_record(probe_id):
    """Fails on its first run, records a probe on its retry: proves retries with an interval work."""
    attempts = queues.get_redis().incr(f"test:attempts:{probe_id}")
    if attempts == 1:
        raise RuntimeError("first attempt fails on purpose")
    return record_probe(probe_id)
