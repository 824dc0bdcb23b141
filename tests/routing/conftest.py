"""Routing fixtures: an admin's API client."""

import pytest

from app.services.people import api_tokens
from tests.api.conftest import Api


@pytest.fixture
def api(client, admin):
    return Api(client, api_tokens.create_token(admin["_id"], "tests")[0])
