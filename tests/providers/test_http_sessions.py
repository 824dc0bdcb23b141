"""Provider sessions honour a proxy set in the environment, and skip reading it when none is set
(but still use a CA bundle the environment names)."""

from app.providers import http
from tests.fakes.provider_server import FakeResponse


def test_a_proxy_in_the_environment_carries_the_provider_calls(fake_provider, monkeypatch):
    fake_provider.route("GET", "/v23.0/ping", FakeResponse(json={"ok": True}))
    monkeypatch.setenv("HTTP_PROXY", fake_provider.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    session = http.make_session()
    response = http.call(session, "GET", "http://provider.invalid/v23.0/ping", provider="meta")
    assert response.json() == {"ok": True}, "the call went through the proxy (the name does not resolve)"
    [proxied] = fake_provider.requests_to("/v23.0/ping")
    assert proxied.headers["host"] == "provider.invalid"


def test_without_a_proxy_the_session_does_not_read_the_environment_at_every_call(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert http.make_session().trust_env is False


def test_without_a_proxy_a_ca_bundle_named_in_the_environment_is_still_used(monkeypatch, tmp_path):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    bundle = tmp_path / "company-ca.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    assert http.make_session().verify == str(bundle)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    assert http.make_session().verify is True
