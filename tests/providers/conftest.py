"""Fixtures of the provider tests; the fake provider server comes from tests.fakes.conftest_plugin."""

import pytest

from .support import FIXTURES


@pytest.fixture(scope="session")
def fixtures_dir():
    assert FIXTURES.is_dir(), f"provider fixtures missing at {FIXTURES}"
    return FIXTURES
