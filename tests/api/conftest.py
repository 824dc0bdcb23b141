"""API fixtures: tokens for an admin and an agent, and a small JSON client."""

import pytest

from app.services.people import api_tokens


class Api:
    def __init__(self, client, token):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def __getattr__(self, method):
        def call(path, json=None, **kwargs):
            return getattr(self.client, method)(f"/api/v1{path}", json=json, headers=self.headers, **kwargs)

        return call


@pytest.fixture
def admin_token(admin):
    return api_tokens.create_token(admin["_id"], "tests")[0]


@pytest.fixture
def agent_token(agent):
    return api_tokens.create_token(agent["_id"], "tests")[0]


@pytest.fixture
def api(client, admin_token):
    return Api(client, admin_token)


@pytest.fixture
def agent_api(client, agent_token):
    return Api(client, agent_token)
