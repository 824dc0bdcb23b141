"""Assistant fixtures: API clients, and a short endpoint timeout so "hangs past the timeout" stays quick."""

import pytest

from app.services.people import api_tokens
from tests.api.conftest import Api

TIMEOUT = 1.0


@pytest.fixture
def config(config):
    config.PARLEY_ASSISTANT_TIMEOUT = TIMEOUT
    return config


@pytest.fixture
def api(client, admin):
    return Api(client, api_tokens.create_token(admin["_id"], "tests")[0])


@pytest.fixture
def agent_api(client, agent):
    return Api(client, api_tokens.create_token(agent["_id"], "tests")[0])
