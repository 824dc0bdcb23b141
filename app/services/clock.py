"""The engine's clock: always timezone-aware UTC, and movable by tests (no sleeping)."""

from datetime import UTC, datetime, timedelta

_state = {"offset": timedelta(0), "frozen": None}


def now():
    if _state["frozen"] is not None:
        return _state["frozen"]
    return datetime.now(UTC) + _state["offset"]


def advance(delta):
    """Move the clock forward by `delta` (tests)."""
    if _state["frozen"] is not None:
        _state["frozen"] += delta
    else:
        _state["offset"] += delta


def freeze(at=None):
    _state["frozen"] = at or now()


def reset():
    _state.update(offset=timedelta(0), frozen=None)


def aware(moment):
    """`moment` in UTC with its zone (a database may return UTC datetimes without it)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
