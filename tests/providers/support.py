"""Provider test helpers: the provider fixture folder, request builders and adapters wired to the fake server."""

from __future__ import annotations

import json
from pathlib import Path

from app.providers import WebhookRequest, get_provider
from tests.fakes.provider_server import FakeProviderServer

# Real provider payloads, kept in the repository (their sources: tests/fixtures/providers/SOURCES.md).
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "providers"


def fixture_files() -> list[str]:
    """Every fixture file, as 'provider/name'; a missing folder is an error, never an empty test run."""
    if not FIXTURES.is_dir():
        raise FileNotFoundError(f"provider fixtures not found at {FIXTURES}")
    files = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*") if p.is_file() and p.name != "SOURCES.md")
    if not files:
        raise FileNotFoundError(f"no provider fixtures under {FIXTURES}")
    return files


def read_bytes(rel: str) -> bytes:
    return (FIXTURES / rel).read_bytes()


def load(rel: str):
    return json.loads(read_bytes(rel))


def text_fixture(rel: str) -> tuple[str | None, dict[str, str], bytes]:
    """A .txt fixture without its '#' comments: (request line or None, headers, body).

    Three layouts occur: a bare form body, a raw HTTP request (request line, headers, blank
    line, body) and a bare URL (GET callbacks)."""
    lines = [line for line in read_bytes(rel).decode().splitlines() if not line.startswith("#")]
    while lines and not lines[0].strip():
        lines.pop(0)
    first = lines[0] if lines else ""
    if first.split(" ")[0] in ("GET", "POST"):
        headers, i = {}, 1
        while i < len(lines) and lines[i].strip():
            name, _, value = lines[i].partition(":")
            headers[name.strip().lower()] = value.strip()
            i += 1
        body = "\n".join(line for line in lines[i + 1 :] if line.strip())
        return first, headers, body.encode()
    return None, {}, "".join(line.strip() for line in lines if line.strip()).encode()


def json_request(
    body: bytes | dict | list, url: str = "https://parley.example/webhooks/whatsapp/key", **headers
) -> WebhookRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return WebhookRequest.from_http("POST", url, {"Content-Type": "application/json", **headers}, raw)


def form_request(body: bytes, url: str = "https://parley.example/webhooks/whatsapp/key", **headers) -> WebhookRequest:
    return WebhookRequest.from_http("POST", url, {"Content-Type": "application/x-www-form-urlencoded", **headers}, body)


CREDENTIALS = {
    "meta": {
        "phone_number_id": "100000000000001",
        "waba_id": "100000000000002",
        "access_token": "meta-token",
        "app_secret": "fake_app_secret_0123456789abcdef",
        "verify_token": "meatyhamhock",
    },
    "twilio": {"account_sid": "AC00000000000000000000000000000000", "auth_token": "twilio-token"},
    "kaleyra": {"sid": "HXAP0000000000IN", "api_key": "kaleyra-key", "webhook_secret": "kaleyra-secret"},
    "sinch": {
        "project_id": "00000000-0000-0000-0000-000000000001",
        "app_id": "{{APP_ID}}",
        "key_id": "key-id",
        "key_secret": "key-secret",
        "webhook_secret": "foo_secret1234",
    },
    "sandbox": {"webhook_secret": "sandbox-secret"},
}
WEBHOOK_URLS = {"twilio": "https://example.com/twilio/status"}


def make(name: str, fake: FakeProviderServer | None = None, *, timeout=(2.0, 2.0), **overrides):
    """An adapter for ``name`` with the test credentials, pointed at ``fake`` when given."""
    api_base = None
    if fake is not None:
        api_base = fake.url + ("/v23.0" if name == "meta" else "")
    config = {
        "provider": name,
        "phone": "+15550001000",
        "api_base": api_base,
        "credentials": dict(CREDENTIALS[name]),
        "webhook_url": WEBHOOK_URLS.get(name, f"https://parley.example/webhooks/whatsapp/{name}"),
        "timeout": timeout,
    }
    config.update(overrides)
    clock = config.pop("clock", None)
    adapter = get_provider(config)
    if clock is not None:
        adapter.clock = clock
    return adapter


def matches(actual, expected) -> bool:
    """Partial deep equality: every key in ``expected`` has the same value in ``actual``."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and matches(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(matches, actual, expected))
    return actual == expected


def assert_events(events: list, expected: list[dict]) -> None:
    """Compare events (as dicts) with partial expectations, one per event, in order."""
    actual = [e.to_dict() for e in events]
    assert len(actual) == len(expected), actual
    for got, want in zip(actual, expected, strict=True):
        assert matches(got, want), f"\n got: {got}\nwant: {want}"
