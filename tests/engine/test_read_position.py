"""The agent's read mark: up to which message the desktop showed the conversation, kept by the engine."""

import pytest

from app.db import get_db
from app.services import clock
from app.services.conversations import inbound, outbound
from app.services.people import api_tokens
from tests.api.conftest import Api
from tests.engine.helpers import conversation
from tests.support.engine import customer_says

PHONE = "+447700900123"


@pytest.fixture
def alice_api(client, team):
    return Api(client, api_tokens.create_token(team["alice"]["_id"], "tests")[0])


def says(team, text):
    inbound.ingest(team["account"], customer_says(team["account"], PHONE, text, timestamp=int(clock.now().timestamp())))


def unread(iid):
    return get_db().interactions.find_one({"_id": iid})["unread"]


def test_read_up_to_a_position_leaves_the_later_customer_messages_unread(team, alice_api):
    iid = conversation(team)["_id"]
    for n in range(1, 6):
        says(team, f"question {n}")
    assert unread(iid) == 5
    page = alice_api.get(f"/interactions/{iid}").get_json()["messages"]
    position = {m["text"]: m["position"] for m in page}

    answer = alice_api.post(f"/interactions/{iid}/read", json={"position": position["question 3"]})
    assert answer.status_code == 200 and answer.get_json()["interaction"]["unread"] == 2
    assert unread(iid) == 2
    says(team, "question 6")  # arrives after what the agent saw: it adds to what is left
    assert unread(iid) == 3
    # Reading an earlier place again never counts more than are unread (a reply reset the count).
    outbound.compose(team["alice"], iid, {"text": "Looking into it"})
    says(team, "question 7")
    assert alice_api.post(f"/interactions/{iid}/read", json={"position": 0}).get_json()["interaction"]["unread"] == 1
    last = alice_api.get(f"/interactions/{iid}").get_json()["messages"][-1]
    assert alice_api.post(f"/interactions/{iid}/read", json={"position": last["position"]}).status_code == 200
    assert unread(iid) == 0


def test_a_bad_read_position_is_refused_and_changes_nothing(team, alice_api):
    iid = conversation(team)["_id"]
    says(team, "anyone?")
    for bad in ("3", -1, True, 1.5):
        answer = alice_api.post(f"/interactions/{iid}/read", json={"position": bad})
        assert answer.status_code == 400, bad
        assert "position" in answer.get_json()["error"]["fields"]
    assert unread(iid) == 1
    assert alice_api.post(f"/interactions/{iid}/read").status_code == 200  # no position: all of it
    assert unread(iid) == 0
