"""HTTP plumbing shared by adapters: sessions, explicit timeouts and one mapping from failures to ProviderError."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from .errors import ProviderError

#: (connect, read) seconds. Every call passes a timeout: requests waits forever by default. The
#: read timeout bounds each wait for the provider's next bytes; the whole attempt is bounded by the
#: job's timeout (app/jobs.py), which the send's claim outlives (app/services/conversations/delivery.py).
DEFAULT_TIMEOUT = (5.0, 15.0)
_timeouts = {"default": DEFAULT_TIMEOUT}
#: Largest attachment we will pull from a provider (WhatsApp documents top out at 100 MB).
MAX_DOWNLOAD_BYTES = 101 * 1024 * 1024

ErrorParser = Callable[[Any, requests.Response], "ProviderError | None"]


def configure(connect: float, read: float) -> None:
    """The (connect, read) timeouts of adapters whose account configures none."""
    _timeouts["default"] = (float(connect), float(read))


def default_timeout() -> tuple[float, float]:
    return _timeouts["default"]


def make_session(user_agent: str = "Parley/1 (+https://github.com/parley)") -> requests.Session:
    """A session per account: keeps TLS connections alive; no retries here (RQ retries jobs)."""
    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    # requests reads the proxy variables (and ~/.netrc) again on every request, a fifth of a send's
    # CPU time in a campaign; where no proxy is set there is nothing to read. With one set, it is.
    session.trust_env = bool(urllib.request.getproxies())
    if not session.trust_env:  # what requests would still have read: a CA bundle named in the environment
        session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    return session


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _default_error(status: int, provider: str, detail: str | None) -> ProviderError:
    if status in (401, 403):
        category, title = "auth", "Provider rejected the credentials"
    elif status == 429:
        category, title = "rate_limited", "Too many requests"
    elif status == 408:
        category, title = "timeout", "Provider timed out"
    elif status == 413:
        category, title = "media", "Payload too large"
    elif status >= 500:
        category, title = "server", "Provider server error"
    else:
        category, title = "bad_request", "Provider refused the request"
    return ProviderError(str(status), title, detail, category=category, provider=provider)


def error_from_response(resp: requests.Response, provider: str, parse_error: ErrorParser | None = None) -> ProviderError:
    """Map an HTTP error response to ProviderError: the provider's own code when it gives one,
    else the status; 429/5xx/408 are retryable whatever the body says, honouring Retry-After."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    error = parse_error(body, resp) if parse_error else None
    fallback = _default_error(resp.status_code, provider, resp.text[:500] if body is None else None)
    if error is None:
        error = fallback
    elif error.category == "other":  # a code we do not know: the HTTP status still says a lot
        error.category = fallback.category
    error.http_status = resp.status_code
    error.provider = provider
    if resp.status_code in (408, 429) or resp.status_code >= 500:
        error.retryable = True
    retry_after = parse_retry_after(resp.headers.get("Retry-After"))
    if retry_after is not None:
        error.retry_after = retry_after
    return error


def call(
    session: requests.Session,
    method: str,
    url: str,
    *,
    provider: str,
    timeout: tuple[float, float] | None = None,
    parse_error: ErrorParser | None = None,
    **kwargs: Any,
) -> requests.Response:
    """One HTTP call; any failure comes out as ProviderError (timeouts and connection errors retryable)."""
    try:
        resp = session.request(method, url, timeout=timeout or default_timeout(), **kwargs)
    except requests.Timeout as exc:
        raise ProviderError(
            "timeout", "Provider did not answer in time", str(exc), category="timeout", retryable=True, provider=provider
        ) from exc
    except requests.RequestException as exc:
        raise ProviderError(
            "connection_error", "Could not reach the provider", str(exc), category="server", retryable=True, provider=provider
        ) from exc
    if resp.status_code >= 400:
        error = error_from_response(resp, provider, parse_error)
        resp.close()
        raise error
    return resp


def json_object(resp: requests.Response, provider: str) -> dict:
    """The JSON object of a successful response; anything else is a (retryable) server fault."""
    try:
        data = resp.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ProviderError(
            "bad_response",
            "Provider answered with something unexpected",
            resp.text[:500],
            http_status=resp.status_code,
            category="server",
            retryable=True,
            provider=provider,
        )
    return data


def missing_in_answer(provider: str, label: str, what: str, data: dict | None = None) -> ProviderError:
    """A successful answer without the id we need: a (retryable) server fault."""
    return ProviderError(
        "bad_response",
        f"No {what} in {label}'s answer",
        str(data)[:300] if data is not None else None,
        category="server",
        retryable=True,
        provider=provider,
    )


def read_capped(resp: requests.Response, provider: str, limit: int = MAX_DOWNLOAD_BYTES) -> bytes:
    """Read a streamed body, refusing anything larger than ``limit`` without loading it whole."""
    chunks, size = [], 0
    try:
        for chunk in resp.iter_content(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise ProviderError(
                    "media_too_large", "Attachment too large", f"More than {limit} bytes.", category="media", provider=provider
                )
            chunks.append(chunk)
    except requests.RequestException as exc:
        raise ProviderError(
            "timeout", "Download interrupted", str(exc), category="timeout", retryable=True, provider=provider
        ) from exc
    finally:
        resp.close()
    return b"".join(chunks)
