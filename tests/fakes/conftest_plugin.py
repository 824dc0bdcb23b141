"""pytest plugin: ``pytest_plugins = ["tests.fakes.conftest_plugin"]`` gives any test folder the fake provider server."""

import pytest

from tests.fakes.provider_server import FakeProviderServer


@pytest.fixture
def fake_provider():
    """A started FakeProviderServer on 127.0.0.1 (free port), stopped after the test."""
    with FakeProviderServer() as server:
        yield server


@pytest.fixture
def fake_chat():
    """A fake OpenAI-compatible Chat Completions API on 127.0.0.1 (FakeChatModel), stopped after the test."""
    from tests.fakes.chat_completions import FakeChatModel

    with FakeProviderServer() as server:
        yield FakeChatModel(server)
