"""The API's token fixtures, for the export and erasure over the REST API."""

from tests.api.conftest import admin_token, agent_api, agent_token, api  # noqa: F401
