"""Agents' messages: stored, sent through the provider, moved by status callbacks."""

from datetime import timedelta

import pytest

from app.db import get_db
from app.providers.errors import WINDOW_CLOSED_MESSAGE
from app.services import clock
from app.services.conversations import inbound, lifecycle, message_store, outbound, statuses
from app.services.conversations.window_expiry import expire_windows
from app.services.errors import Conflict, Forbidden, ValidationFailed
from tests.engine.helpers import conversation, deliver, make_template, message, messages
from tests.support.engine import customer_says, live_events, status_of


def test_text_goes_out_and_status_callbacks_move_it_to_read(team):
    interaction = conversation(team)
    sent, warnings = outbound.compose(team["alice"], interaction["_id"], {"text": "How can I help?"})
    assert warnings == [] and sent["status"] == "queued"
    assert deliver(interaction, sent) == "sent"
    stored = message(interaction["_id"], sent["id"])
    assert stored["status"] == "sent" and stored["provider_message_id"].startswith("sbx.")
    account = team["account"]
    for status in ("delivered", "read"):
        inbound.ingest(account, status_of(account, stored["provider_message_id"], status))
    assert message(interaction["_id"], sent["id"])["status"] == "read"


def test_status_never_goes_backwards_and_replays_change_nothing(team):
    interaction = conversation(team)
    sent, _ = outbound.compose(team["alice"], interaction["_id"], {"text": "Hi"})
    deliver(interaction, sent)
    pmid = message(interaction["_id"], sent["id"])["provider_message_id"]
    account = team["account"]
    outcomes = [inbound.ingest(account, status_of(account, pmid, s)) for s in ("read", "delivered", "sent", "read")]
    assert outcomes == [{"applied": 1}, {"stale": 1}, {"stale": 1}, {"duplicate": 1}]
    assert message(interaction["_id"], sent["id"])["status"] == "read"


def test_a_status_that_arrives_before_the_send_is_recorded_is_applied_later(team):
    interaction = conversation(team)
    sent, _ = outbound.compose(team["alice"], interaction["_id"], {"text": "Hi"})
    account = team["account"]
    assert statuses.apply_now(account["_id"], "sbx.early", "delivered", clock.now()) == "pending"
    message_store.update({"interaction_id": interaction["_id"], "id": sent["id"]}, {"provider_message_id": "sbx.early"})
    assert statuses.flush_pending(account["_id"], "sbx.early") == 1
    assert message(interaction["_id"], sent["id"])["status"] == "delivered"
    assert get_db().pending_statuses.count_documents({}) == 0


def test_the_same_client_id_twice_sends_once(team):
    interaction = conversation(team)
    first, _ = outbound.compose(team["alice"], interaction["_id"], {"text": "Once", "client_id": "c-123456789"})
    again, _ = outbound.compose(team["alice"], interaction["_id"], {"text": "Once", "client_id": "c-123456789"})
    assert first["id"] == again["id"] == "c-123456789"
    assert [m["text"] for m in messages(interaction["_id"]) if m["direction"] == "out"] == ["Once"]


def test_only_the_assigned_agent_writes_and_never_to_a_closed_interaction(team):
    interaction = conversation(team)
    with pytest.raises(Forbidden):
        outbound.compose(team["bob"], interaction["_id"], {"text": "Not mine"})
    lifecycle.close(team["alice"], interaction["_id"])
    with pytest.raises(Conflict, match="closed"):
        outbound.compose(team["alice"], interaction["_id"], {"text": "Too late"})


def test_bad_payloads_get_field_errors_and_change_nothing(team):
    interaction = conversation(team)
    before = len(messages(interaction["_id"]))
    cases = [
        {"text": ""},
        {"text": "x" * 5000},
        {"kind": "teleport"},
        {"kind": "location", "location": {"latitude": 200}},
        {"kind": "image", "media": {"file_id": "nope"}},
        {"text": "hi", "client_id": "bad id!"},
    ]
    for payload in cases:
        with pytest.raises(ValidationFailed) as info:
            outbound.compose(team["alice"], interaction["_id"], payload)
        assert info.value.fields, payload
    assert len(messages(interaction["_id"])) == before


def test_template_parameters_must_match(team):
    interaction = conversation(team)
    template = make_template(team["account"])
    for params in ({"body": ["Maria"]}, {"body": ["Maria", "A-1", "extra"]}, {"body": ["Maria", "A-1"], "footer": []}):
        with pytest.raises(ValidationFailed):
            outbound.compose(
                team["alice"], interaction["_id"], {"kind": "template", "template_id": str(template["_id"]), "params": params}
            )
    sent, _ = outbound.compose(
        team["alice"],
        interaction["_id"],
        {"kind": "template", "template_id": str(template["_id"]), "params": {"body": ["Maria", "A-1"]}},
    )
    assert sent["template"]["rendered"]["body"] == "Hi Maria, your order A-1 is ready."
    assert sent["template"]["rendered"]["footer"] == "Parley Shop"
    assert deliver(interaction, sent) == "sent"


def test_templates_not_available_for_agents_are_refused(team):
    interaction = conversation(team)
    hidden = make_template(team["account"], name="internal_only", body="Hello", available_for_agents=False)
    with pytest.raises(ValidationFailed, match="not available"):
        outbound.compose(team["alice"], interaction["_id"], {"kind": "template", "template_id": str(hidden["_id"])})


def test_agent_reaction_shows_under_the_message_and_can_be_removed(team):
    interaction = conversation(team)
    customer_message = messages(interaction["_id"])[0]
    reaction, _ = outbound.compose(
        team["alice"], interaction["_id"], {"kind": "reaction", "reaction": {"message_id": customer_message["id"], "emoji": "👍"}}
    )
    assert message(interaction["_id"], customer_message["id"])["reactions"]["agent"]["emoji"] == "👍"
    assert deliver(interaction, reaction) == "sent"
    outbound.compose(
        team["alice"], interaction["_id"], {"kind": "reaction", "reaction": {"message_id": customer_message["id"], "emoji": ""}}
    )
    assert message(interaction["_id"], customer_message["id"])["reactions"]["agent"] is None
    visible = [m for m in messages(interaction["_id"]) if not m.get("hidden")]
    assert len(visible) == 1  # reactions are not bubbles


def test_customer_reaction_to_the_last_agent_message_marks_acknowledged(team):
    interaction = conversation(team)
    sent, _ = outbound.compose(team["alice"], interaction["_id"], {"text": "Your refund is on its way"})
    deliver(interaction, sent)
    pmid = message(interaction["_id"], sent["id"])["provider_message_id"]
    account = team["account"]
    inbound.ingest(
        account, customer_says(account, "+447700900123", None, kind="reaction", reaction={"message_id": pmid, "emoji": "👍"})
    )
    doc = get_db().interactions.find_one({"_id": interaction["_id"]})
    assert doc["acknowledged"]["emoji"] == "👍"
    [event] = live_events(interaction["_id"], "reaction")
    assert event["interaction"]["acknowledged"]["emoji"] == "👍"  # lists and sidebars update live
    assert message(interaction["_id"], sent["id"])["reactions"]["customer"]["emoji"] == "👍"
    inbound.ingest(account, customer_says(account, "+447700900123", None, kind="reaction", reaction={"message_id": pmid}))
    assert get_db().interactions.find_one({"_id": interaction["_id"]})["acknowledged"] is None


def test_free_text_after_the_window_is_warned_and_refused_as_meta_does_but_a_template_goes_out(team):
    interaction = conversation(team)
    clock.advance(timedelta(hours=25))
    assert expire_windows() == 1
    sent, warnings = outbound.compose(team["alice"], interaction["_id"], {"text": "Are you there?"})
    assert warnings and "recontact" in warnings[0].lower()
    assert deliver(interaction, sent) == "failed", "the sandbox enforces the window as WhatsApp does"
    failed = message(interaction["_id"], sent["id"])
    assert failed["status"] == "failed" and "provider_message_id" not in failed
    assert failed["error"]["code"] == "131047" and failed["error"]["user_message"] == WINDOW_CLOSED_MESSAGE
    kept_for_admins = get_db().provider_errors.find_one({"message_id": sent["id"]})
    assert (kept_for_admins["code"], kept_for_admins["title"]) == ("131047", "Re-engagement message")
    template = make_template(team["account"])
    payload = {"kind": "template", "template_id": str(template["_id"]), "params": {"body": ["Sam", "42"]}}
    sent, warnings = outbound.compose(team["alice"], interaction["_id"], payload)
    assert warnings == [] and deliver(interaction, sent) == "sent"


def test_a_window_failure_reported_in_a_status_callback_shows_the_recontact_hint(team):
    """Meta accepts the send and reports 131047 afterwards, in a status callback."""
    interaction = conversation(team)
    sent, _ = outbound.compose(team["alice"], interaction["_id"], {"text": "Are you there?"})
    assert deliver(interaction, sent) == "sent"
    pmid = message(interaction["_id"], sent["id"])["provider_message_id"]
    account = team["account"]
    failure = {"code": "131047", "title": "Re-engagement message", "category": "window_closed"}
    inbound.ingest(account, status_of(account, pmid, "failed", error=failure))
    failed = message(interaction["_id"], sent["id"])
    assert failed["status"] == "failed" and failed["error"]["user_message"] == WINDOW_CLOSED_MESSAGE


def test_recontact_template_on_a_closed_interaction_and_the_reply_reopens_it_as_inbound(team):
    account = team["account"]
    interaction = conversation(team)
    template = make_template(account, name="recontact", body="Hello again! Reply to continue.", recontact=True)
    get_db().accounts.update_one({"_id": account["_id"]}, {"$set": {"settings.recontact_template_id": template["_id"]}})
    lifecycle.close(team["alice"], interaction["_id"])
    clock.advance(timedelta(hours=30))
    sent = outbound.send_recontact(team["alice"], interaction["_id"])
    assert sent["author"] == "system" and sent["template"]["rendered"]["body"] == "Hello again! Reply to continue."
    assert deliver(interaction, sent) == "sent"
    inbound.ingest(
        account, customer_says(account, "+447700900123", "Yes, still need help", timestamp=int(clock.now().timestamp()))
    )
    docs = list(get_db().interactions.find({}))
    assert len(docs) == 1, "the reply reopens the same interaction"
    doc = docs[0]
    assert doc["status"] == "queued" and doc["is_open"] and doc["reopens"][-1]["by"] == "customer"
    assert doc["window_expires_at"].replace(tzinfo=None) > clock.now().replace(tzinfo=None)


def test_a_reply_to_a_closed_interaction_starts_a_new_one_linked_to_the_previous(team):
    account = team["account"]
    interaction = conversation(team)
    lifecycle.close(team["alice"], interaction["_id"])
    inbound.ingest(account, customer_says(account, "+447700900123", "One more thing"))
    newest = get_db().interactions.find_one({"is_open": True})
    assert newest["_id"] != interaction["_id"] and newest["previous_interaction_id"] == interaction["_id"]


def test_first_response_time_and_search_terms_come_from_agent_messages(team):
    from app.services.reading.interaction_queries import list_interactions

    interaction = conversation(team)
    outbound.compose(team["alice"], interaction["_id"], {"text": "Refund approved today"})
    first = get_db().interactions.find_one({"_id": interaction["_id"]})["first_response_at"]
    outbound.compose(team["alice"], interaction["_id"], {"text": "Anything else?"})
    doc = get_db().interactions.find_one({"_id": interaction["_id"]})
    assert doc["first_response_at"] == first
    rows, _ = list_interactions(team["alice"], {"q": "refund"})
    assert [r["_id"] for r in rows] == [interaction["_id"]]


def test_a_late_older_reaction_event_does_not_undo_a_newer_one(team):
    from datetime import timedelta

    interaction = conversation(team)
    sent, _ = outbound.compose(team["alice"], interaction["_id"], {"text": "Done!"})
    deliver(interaction, sent)
    pmid = message(interaction["_id"], sent["id"])["provider_message_id"]
    account = team["account"]
    now = clock.now()
    removed_later = customer_says(
        account, "+447700900123", None, kind="reaction", reaction={"message_id": pmid}, timestamp=int(now.timestamp()) + 5
    )
    added_earlier = customer_says(
        account,
        "+447700900123",
        None,
        kind="reaction",
        reaction={"message_id": pmid, "emoji": "👍"},
        timestamp=int((now - timedelta(seconds=5)).timestamp()),
    )
    assert inbound.ingest(account, removed_later) == {"reaction": 1}
    assert inbound.ingest(account, added_earlier) == {"stale_reaction": 1}
    assert message(interaction["_id"], sent["id"])["reactions"]["customer"] is None
