"""Defensive readers for untrusted webhook payloads: wrong types become None, never exceptions."""

from __future__ import annotations

import functools
import json
import math
import re
from datetime import UTC, datetime
from typing import Any

import phonenumbers

from .errors import MalformedWebhook

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def load_json(body: bytes) -> Any:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise MalformedWebhook(f"body is not JSON ({exc.__class__.__name__})") from None
    return _without_lone_surrogates(data) if _SURROGATE_ESCAPE.search(body) else data


def _without_lone_surrogates(value: Any) -> Any:
    """JSON may escape half of an emoji ("\\ud83d" alone), which no database can store as UTF-8:
    it becomes U+FFFD, so the rest of the message is kept. Pairs are already joined by json."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    return value


def load_json_object(body: bytes) -> dict:
    data = load_json(body)
    if not isinstance(data, dict):
        raise MalformedWebhook("body is not a JSON object")
    return data


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def dicts(value: Any) -> list[dict]:
    """The dict items of a list, so one bad item cannot sink a batch."""
    return [v for v in as_list(value) if isinstance(v, dict)]


def as_str(value: Any) -> str | None:
    """A non-empty string, accepting numbers (ids and timestamps arrive as both)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and not (isinstance(value, float) and not math.isfinite(value)):
        return str(value)
    if isinstance(value, str) and value:
        return value
    return None


def as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return value is True


def normalize_phone(value: Any) -> str | None:
    """E.164 with '+', or None. Accepts 'whatsapp:+1…', bare digits (Meta wa_id) and spacing.

    Uses "possible" rather than "valid" numbers: providers only deliver from real accounts,
    and validity metadata lags new number ranges (and rejects test numbers like +1 555…).
    """
    text = as_str(value)
    return None if text is None else _normalized_phone(text)


@functools.lru_cache(maxsize=4096)  # the business number is in every webhook, a customer's in each of theirs
def _normalized_phone(text: str) -> str | None:
    text = text.strip()
    if text.lower().startswith("whatsapp:"):
        text = text[len("whatsapp:") :]
    if not text.startswith("+"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def now_utc() -> datetime:
    return datetime.now(UTC)


def unix_time(value: Any) -> datetime | None:
    seconds = as_float(value)
    if seconds is None or seconds < 0:
        return None
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def iso_time(value: Any) -> datetime | None:
    """RFC 3339 with up to nanoseconds (Sinch sends 6–9 fraction digits), or unix seconds."""
    text = as_str(value)
    if text is None:
        return None
    if text.replace(".", "", 1).isdigit():
        return unix_time(text)
    text = text.strip().replace("Z", "+00:00").replace(" ", "T", 1)
    head, dot, rest = text.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{rest[:digits][:6].ljust(6, '0')}{rest[digits:]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def jsonable(value: Any) -> Any:
    """``value`` if it survives json.dumps, else its repr: ``raw`` must always be storable."""
    try:
        json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        return {"repr": repr(value)[:2000]}
    return value
