"""Whatever JSON a client sends to the interaction endpoints, the answer is never a 500."""

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.db import get_db
from app.services import clock
from app.services.conversations import inbound
from app.services.people import api_tokens
from tests.support.engine import customer_says, stored_messages

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12
)
KEYS = [
    "text",
    "kind",
    "client_id",
    "reply_to",
    "internal",
    "media",
    "location",
    "template_id",
    "params",
    "reaction",
    "disposition",
    "tags",
    "agent_id",
    "queue_id",
    "account_id",
    "phone",
    "name",
    "card",
    "caption",
]
BODIES = st.dictionaries(st.sampled_from(KEYS), JSON, max_size=5) | JSON
ACTIONS = ["messages", "close", "reopen", "transfer", "accept", "reject", "read", "recontact"]


@pytest.fixture
def setup(client, team):
    inbound.ingest(team["account"], customer_says(team["account"], "+447700900123", "hi", timestamp=int(clock.now().timestamp())))
    interaction_id = str(get_db().interactions.find_one({})["_id"])
    headers = {"Authorization": f"Bearer {api_tokens.create_token(team['alice']['_id'], 'fuzz')[0]}"}
    client.post(f"/api/v1/interactions/{interaction_id}/accept", headers=headers)
    return Caller(client, headers), interaction_id


class Caller:
    """Calls the API with a token (plain attributes, so Hypothesis can print it)."""

    def __init__(self, client, headers):
        self.client, self.headers = client, headers

    def post(self, path, json):
        return self.client.post(f"/api/v1{path}", json=json, headers=self.headers)

    def get(self, path, query_string):
        return self.client.get(f"/api/v1{path}", query_string=query_string, headers=self.headers)

    def __repr__(self):
        return "Caller()"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(action=st.sampled_from(ACTIONS), body=BODIES)
@example(action="close", body={"tags": 5})
@example(action="close", body={"tags": [{"a": 1}]})
@example(action="close", body={"disposition": {"$ne": None}})
@example(action="reopen", body={"disposition": ["Solved"]})
@example(action="transfer", body={"agent_id": 5})
@example(action="messages", body={"kind": ["text"]})
@example(action="messages", body={"kind": "template", "template_id": {"$gt": ""}})
@example(action="recontact", body={"params": 5})
def test_actions_never_answer_500(setup, action, body):
    api, interaction_id = setup
    response = api.post(f"/interactions/{interaction_id}/{action}", json=body)
    assert response.status_code < 500, (action, body, response.get_data(as_text=True))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES)
@example(body={"phone": 5})
@example(body={"phone": "+447700900999", "name": 7})
def test_starting_a_conversation_never_answers_500(setup, body):
    api, _ = setup
    response = api.post("/interactions", json=body)
    assert response.status_code < 500, (body, response.get_data(as_text=True))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "status",
                "account_id",
                "agent_id",
                "first_agent_id",
                "tag",
                "tags",
                "read",
                "start_from",
                "start_to",
                "q",
                "sort",
                "page",
                "per_page",
                "window_closing_within",
            ]
        ),
        st.text(max_size=30),
        max_size=5,
    )
)
def test_list_filters_never_answer_500(setup, params):
    api, _ = setup
    response = api.get("/interactions", query_string=params)
    assert response.status_code in (200, 400), (params, response.get_data(as_text=True))


def test_a_body_that_is_not_an_object_is_a_400_everywhere(setup):
    api, interaction_id = setup
    message_id = stored_messages(get_db().interactions.find_one({})["_id"])[0]["id"]
    for path in (f"/interactions/{interaction_id}/messages/{message_id}/add-contact", f"/interactions/{interaction_id}/close",
                 f"/interactions/{interaction_id}/recontact", f"/interactions/{interaction_id}/messages", "/interactions"):
        response = api.post(path, json=[1])
        assert response.status_code == 400, path
