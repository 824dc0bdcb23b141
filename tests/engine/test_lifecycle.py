"""Close, reopen, transfer, notes and quick-reply closing, with their system lines."""

from datetime import timedelta

import pytest

from app.db import get_db
from app.services import clock
from app.services.conversations import inbound, lifecycle, routing
from app.services.errors import Conflict, Forbidden, ValidationFailed
from tests.engine.helpers import conversation, messages
from tests.support.builders import make_user
from tests.support.engine import customer_says, live_events, make_queue, make_sandbox_account


def system_lines(interaction_id):
    return [m["text"] for m in messages(interaction_id) if m["direction"] == "system"]


@pytest.fixture
def labels(app):
    get_db().dispositions.insert_one({"name": "Resolved"})
    get_db().tags.insert_many([{"name": "refund", "colour": "#aa0000"}, {"name": "vip", "colour": "#00aa00"}])


def test_close_with_disposition_and_tags(team, labels):
    interaction = conversation(team)
    closed = lifecycle.close(team["alice"], interaction["_id"], "Resolved", ["refund"])
    assert closed["status"] == "closed" and not closed["is_open"] and closed["disposition"] == "Resolved"
    assert closed["tags"] == ["refund"]
    assert system_lines(interaction["_id"]) == ["Closed by Alice · Resolved"]


def test_unknown_disposition_or_tag_changes_nothing(team, labels):
    interaction = conversation(team)
    for disposition, tags in (("Nope", []), (None, ["unknown"])):
        with pytest.raises(ValidationFailed):
            lifecycle.close(team["alice"], interaction["_id"], disposition, tags)
    assert get_db().interactions.find_one({"_id": interaction["_id"]})["is_open"]


def test_only_the_owner_closes_and_only_once(team):
    interaction = conversation(team)
    with pytest.raises(Forbidden):
        lifecycle.close(team["bob"], interaction["_id"])
    lifecycle.close(team["alice"], interaction["_id"])
    with pytest.raises(Conflict):
        lifecycle.close(team["alice"], interaction["_id"])


def test_reopen_within_the_window_resumes(team):
    interaction = conversation(team)
    lifecycle.close(team["alice"], interaction["_id"])
    reopened = lifecycle.reopen(team["bob"], interaction["_id"])
    assert reopened["status"] == "open" and reopened["agent_id"] == team["bob"]["_id"] and reopened["reopened_at"]
    assert not reopened["window_expired"]
    assert system_lines(interaction["_id"])[-1] == "Reopened by Bob"


def test_reopen_after_the_window_says_only_the_recontact_template_can_go(team):
    interaction = conversation(team)
    lifecycle.close(team["alice"], interaction["_id"])
    clock.advance(timedelta(hours=26))
    reopened = lifecycle.reopen(team["alice"], interaction["_id"])
    assert reopened["window_expired"]
    assert "recontact template" in system_lines(interaction["_id"])[-1]


def test_reopen_refused_when_the_contact_already_has_an_open_interaction(team):
    interaction = conversation(team)
    lifecycle.close(team["alice"], interaction["_id"])
    inbound.ingest(team["account"], customer_says(team["account"], "+447700900123", "new topic"))
    with pytest.raises(Conflict, match="already has an open interaction"):
        lifecycle.reopen(team["alice"], interaction["_id"])


def test_agents_of_another_queue_cannot_touch_it(team):
    interaction = conversation(team)
    for action in (
        lambda: lifecycle.close(team["carol"], interaction["_id"]),
        lambda: routing.accept(team["carol"], interaction["_id"]),
    ):
        with pytest.raises(Forbidden):
            action()


def test_transfer_to_an_agent_and_to_a_queue(team):
    interaction = conversation(team)
    moved = lifecycle.transfer(team["alice"], interaction["_id"], to_agent_id=str(team["bob"]["_id"]))
    assert moved["agent_id"] == team["bob"]["_id"] and moved["status"] == "open"
    other_queue = make_queue([team["carol"]["_id"]], name="Billing")
    requeued = lifecycle.transfer(team["bob"], interaction["_id"], to_queue_id=str(other_queue["_id"]))
    assert requeued["status"] == "queued" and requeued["agent_id"] is None and requeued["queue_name"] == "Billing"
    assert system_lines(interaction["_id"]) == ["Transferred by Alice to Bob", "Transferred by Bob to queue Billing"]
    routing.accept(team["carol"], interaction["_id"])


def test_transfer_refused_when_the_account_does_not_allow_it(team):
    get_db().accounts.update_one({"_id": team["account"]["_id"]}, {"$set": {"settings.allow_transfer": False}})
    interaction = conversation(team)
    with pytest.raises(Forbidden, match="does not allow transfers"):
        lifecycle.transfer(team["alice"], interaction["_id"], to_agent_id=str(team["bob"]["_id"]))
    assert system_lines(interaction["_id"]) == []


def test_internal_notes_are_kept_apart(team):
    interaction = conversation(team)
    note = lifecycle.add_note(team["alice"], interaction["_id"], "Customer is a VIP")
    assert note["internal"] and note["direction"] == "internal"
    assert "provider_message_id" not in note and "status" not in note


@pytest.mark.parametrize("close_on_quick_reply", [True, False])
def test_quick_reply_closes_only_when_the_account_says_so(app, close_on_quick_reply):
    agent = make_user("agent")
    account = make_sandbox_account(make_queue([agent["_id"]]), close_on_quick_reply=close_on_quick_reply)
    inbound.ingest(account, customer_says(account, "+447700900777", "hi"))
    interaction = get_db().interactions.find_one({})
    routing.accept(agent, interaction["_id"])
    inbound.ingest(
        account,
        customer_says(
            account, "+447700900777", None, kind="template_reply", reply={"payload": "STOP", "title": "Not interested"}
        ),
    )
    doc = get_db().interactions.find_one({"_id": interaction["_id"]})
    assert doc["is_open"] is (not close_on_quick_reply)
    lines = system_lines(interaction["_id"])
    assert lines == (["Closed automatically: the customer answered with a quick reply."] if close_on_quick_reply else [])


def test_a_note_sent_twice_with_the_same_client_id_is_stored_once(team):
    from app.services.conversations import outbound

    interaction = conversation(team)
    for _ in range(2):
        note, _ = outbound.compose(team["alice"], interaction["_id"], {"internal": True, "text": "VIP", "client_id": "note-0001"})
        assert note["id"] == "note-0001"
    assert [m["text"] for m in messages(interaction["_id"]) if m.get("internal")] == ["VIP"]


def test_every_sequence_number_has_its_event(team):
    """Clients wait for each number in turn, so no change may take one without announcing it."""
    from app.services.conversations import outbound

    interaction = conversation(team)
    customer_message = messages(interaction["_id"])[0]
    outbound.compose(
        team["alice"], interaction["_id"], {"kind": "reaction", "reaction": {"message_id": customer_message["id"], "emoji": "👍"}}
    )
    sent, _ = outbound.compose(team["alice"], interaction["_id"], {"text": "hi"})
    from tests.engine.helpers import deliver

    deliver(interaction, sent)
    lifecycle.add_note(team["alice"], interaction["_id"], "note")
    lifecycle.close(team["alice"], interaction["_id"])
    doc = get_db().interactions.find_one({"_id": interaction["_id"]})
    seqs = [e["seq"] for e in live_events(interaction["_id"])]
    assert seqs == list(range(1, doc["seq"] + 1))


def test_a_disposition_given_as_a_query_operator_is_refused(team, labels):
    interaction = conversation(team)
    with pytest.raises(ValidationFailed):
        lifecycle.close(team["alice"], interaction["_id"], {"$ne": None}, None)
    assert get_db().interactions.find_one({"_id": interaction["_id"]})["is_open"]
