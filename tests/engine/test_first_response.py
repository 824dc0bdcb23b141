"""The first-response target, on a controlled clock: an assigned interaction whose customer waits too
long for an agent's answer is flagged once, the flag goes when the agent answers, and an admin can
return it to the queue (the page, the REST API); nobody else can."""

from datetime import timedelta

import pytest

from app.db import INDEXES, get_db
from app.services import clock
from app.services.conversations import inbound, outbound, routing
from app.services.errors import Conflict, Forbidden
from app.services.people import api_tokens
from app.services.routing import first_response, time_rules
from app.services.setup import queue_admin
from tests.api.conftest import Api
from tests.engine.helpers import conversation, messages
from tests.engine.test_index_coverage import ENGINE_COLLECTIONS
from tests.support.builders import csrf_token, make_user, sign_in
from tests.support.engine import customer_says, live_events
from tests.support.query_shapes import embedded_only, recording, serves, uncovered

PHONE = "+447700900123"


def minutes(n):
    clock.advance(timedelta(minutes=n))


def customer(team, text):
    inbound.ingest(team["account"], customer_says(team["account"], PHONE, text, timestamp=int(clock.now().timestamp())))


def current(interaction):
    return get_db().interactions.find_one({"_id": interaction["_id"]})


@pytest.fixture
def target(team):
    """Five minutes for an agent's answer in the team's queue; the clock stands still from here."""
    queue_admin.update_queue(team["queue"]["_id"], {"routing": {"first_response_minutes": 5}})
    clock.freeze()
    return 5


def test_an_unanswered_customer_is_flagged_once_when_the_target_passes(team, target):
    interaction = conversation(team, text="Where is my parcel?")
    minutes(4)
    assert time_rules.check()["flagged"] == 0
    minutes(1)
    assert time_rules.check()["flagged"] == 1
    flagged = current(interaction)
    assert clock.aware(flagged["sla_breached_at"]) == clock.aware(flagged["accepted_at"]) + timedelta(minutes=5)
    [event] = live_events(interaction["_id"], "sla_breached")
    assert event["interaction"]["sla_breached_at"] and event["interaction"]["agent_id"] == str(team["alice"]["_id"])
    minutes(10)
    assert time_rules.check()["flagged"] == 0  # once
    assert len(live_events(interaction["_id"], "sla_breached")) == 1


def test_the_agents_answer_clears_the_flag_and_a_later_unanswered_message_counts_again(team, target):
    interaction = conversation(team)
    minutes(6)
    time_rules.check()
    outbound.compose(team["alice"], interaction["_id"], {"text": "Sorry for the wait!"})
    answered = current(interaction)
    assert "sla_breached_at" not in answered and "awaiting_reply_since" not in answered
    assert routing.card(answered)["sla_breached_at"] is None
    minutes(20)
    assert time_rules.check()["flagged"] == 0  # nothing waits
    customer(team, "It still has not arrived")
    minutes(2)
    customer(team, "Hello??")  # the wait counts from the first unanswered message
    minutes(3)
    assert time_rules.check()["flagged"] == 1


def test_an_answer_within_the_target_is_never_flagged(team, target):
    interaction = conversation(team)
    minutes(4)
    outbound.compose(team["alice"], interaction["_id"], {"text": "Hello!"})
    minutes(30)
    assert time_rules.check()["flagged"] == 0
    assert "sla_breached_at" not in current(interaction)


def test_the_wait_counts_from_when_the_agent_got_it_not_the_time_in_the_queue(team, target):
    inbound.ingest(team["account"], customer_says(team["account"], PHONE, "Hi", timestamp=int(clock.now().timestamp())))
    minutes(30)  # nobody accepted it: the queue's wait, not an agent's
    assert time_rules.check()["flagged"] == 0
    interaction = routing.accept(team["bob"], get_db().interactions.find_one({"contact.phone": PHONE})["_id"])
    minutes(4)
    assert time_rules.check()["flagged"] == 0
    minutes(1)
    assert time_rules.check()["flagged"] == 1
    assert current(interaction)["agent_id"] == team["bob"]["_id"]


def test_a_queue_without_a_target_flags_nothing(team):
    clock.freeze()
    conversation(team)
    minutes(600)
    assert time_rules.check()["flagged"] == 0


def test_an_admin_returns_a_flagged_interaction_to_the_queue(team, target):
    admin = make_user("admin", name="Ada")
    interaction = conversation(team)
    minutes(7)
    time_rules.check()
    unread = current(interaction)["unread"]

    doc = first_response.return_to_queue(admin, str(interaction["_id"]))
    assert (doc["status"], doc["agent_id"], doc["agent_name"]) == ("queued", None, None)
    assert abs(clock.aware(doc["queued_at"]) - clock.now()) < timedelta(milliseconds=1) and doc["unread"] == unread
    stored = current(interaction)
    assert stored["status"] == "queued" and "sla_breached_at" not in stored
    line = messages(interaction["_id"])[-1]
    assert (line["kind"], line["text"]) == ("system", "Returned to the queue by Ada: no answer for 7 minutes")
    offer = live_events(interaction["_id"], "offer")[-1]
    assert offer["message"]["text"] == line["text"] and offer["interaction"]["status"] == "queued"

    with pytest.raises(Conflict):  # nobody holds it now
        first_response.return_to_queue(admin, str(interaction["_id"]))
    taken = routing.accept(team["bob"], interaction["_id"])
    minutes(4)
    assert time_rules.check()["flagged"] == 0  # Bob's own wait starts at his accept
    assert taken["agent_id"] == team["bob"]["_id"]


def test_only_admins_return_interactions_to_the_queue(team, target):
    interaction = conversation(team)
    with pytest.raises(Forbidden):
        first_response.return_to_queue(team["alice"], str(interaction["_id"]))
    assert current(interaction)["status"] == "open"


def test_an_answered_interaction_can_be_returned_too_without_a_wait_in_its_reason(team, target):
    admin = make_user("admin", name="Ada")
    interaction = conversation(team)
    outbound.compose(team["alice"], interaction["_id"], {"text": "Hello!"})
    first_response.return_to_queue(admin, interaction["_id"])
    assert messages(interaction["_id"])[-1]["text"] == "Returned to the queue by Ada"


def test_the_rest_api_returns_to_the_queue_for_admins_only(client, team, target):
    admin = make_user("admin", name="Ada")
    apis = {
        who: Api(client, api_tokens.create_token(user["_id"], "tests")[0])
        for who, user in (("alice", team["alice"]), ("admin", admin))
    }
    interaction = conversation(team)
    path = f"/interactions/{interaction['_id']}/requeue"
    refused = apis["alice"].post(path)
    assert (
        refused.status_code == 403
        and refused.get_json()["error"]["message"] == "Only admins can return an interaction to the queue."
    )
    answer = apis["admin"].post(path)
    assert answer.status_code == 200 and answer.get_json()["interaction"]["status"] == "queued"
    again = apis["admin"].post(path)
    assert again.status_code == 409
    assert apis["admin"].post("/interactions/0123456789abcdef01234567/requeue").status_code == 404


def test_the_interaction_page_shows_the_flag_and_returns_it_for_admins(app, team, target):
    admin = make_user("admin", name="Ada")
    interaction = conversation(team, text="Hello?")
    minutes(6)
    time_rules.check()
    boss = app.test_client()
    sign_in(boss, admin["email"])
    page = boss.get(f"/interactions/{interaction['_id']}").get_data(as_text=True)
    assert 'data-testid="answer-overdue-since"' in page and 'data-testid="requeue"' in page
    listing = boss.get("/interactions/").get_data(as_text=True)
    assert listing.count('data-testid="answer-overdue"') == 1

    refused = boss.post(f"/interactions/{interaction['_id']}/requeue", data={})  # no CSRF token
    assert refused.status_code == 400 and current(interaction)["status"] == "open"
    done = boss.post(
        f"/interactions/{interaction['_id']}/requeue",
        data={"csrf_token": csrf_token(boss, "/interactions/")},
        follow_redirects=True,
    )
    assert "Returned the interaction with" in done.get_data(as_text=True) and current(interaction)["status"] == "queued"

    alice = app.test_client()
    sign_in(alice, team["alice"]["email"])
    assert 'data-testid="requeue"' not in alice.get(f"/interactions/{interaction['_id']}").get_data(as_text=True)
    assert (
        alice.post(
            f"/interactions/{interaction['_id']}/requeue", data={"csrf_token": csrf_token(alice, "/interactions/")}
        ).status_code
        == 403
    )


@embedded_only
def test_both_time_rules_and_the_return_to_the_queue_query_through_declared_indexes(team, target):
    queue_admin.update_queue(team["queue"]["_id"], {"inactivity": {"customer_idle_minutes": 10, "nudge_text": "Still there?"}})
    admin = make_user("admin", name="Ada")
    quiet = conversation(team, text="Thanks")
    outbound.compose(team["alice"], quiet["_id"], {"text": "You are welcome"})
    waiting = conversation(team, agent="bob", sender="+447700900999", text="Hello?")
    with recording(ENGINE_COLLECTIONS) as shapes:
        minutes(10)
        assert time_rules.check() == {"nudged": 1, "closed": 0, "flagged": 1}
        minutes(15)
        assert time_rules.check() == {"nudged": 0, "closed": 1, "flagged": 0}
        first_response.return_to_queue(admin, waiting["_id"])
    assert len(shapes) > 10
    assert uncovered(shapes) == []
    # Each rule's search is bounded to the queue's open or waiting interactions by equality, not its history.
    searches = [
        fields
        for collection, found, _ in shapes
        if collection == "interactions"
        for fields in found
        if "_id" not in fields and {"last_inbound_at", "awaiting_reply_since"} & set(fields)
    ]
    by_status_and_queue = next(spec.keys for spec in INDEXES if [k for k, _ in spec.keys[:2]] == ["status", "queue_id"])
    assert len(searches) == 4
    assert all(fields["status"] == fields["queue_id"] == "eq" and serves(by_status_and_queue, fields, ()) for fields in searches)


@pytest.mark.parametrize("to", ["agent", "queue"])
def test_a_transfer_takes_the_overdue_flag_with_the_agent_who_had_it(team, target, to):
    from app.services.conversations import lifecycle

    interaction = conversation(team, text="Hello?")
    minutes(5)
    assert time_rules.check()["flagged"] == 1
    where = {"to_agent_id": str(team["bob"]["_id"])} if to == "agent" else {"to_queue_id": str(team["queue"]["_id"])}
    moved = lifecycle.transfer(team["alice"], interaction["_id"], **where)
    assert "sla_breached_at" not in moved and "sla_breached_at" not in current(interaction)
