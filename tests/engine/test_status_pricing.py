"""Meta's statuses through the webhook into a Meta account: pricing counted once per message per day,
account and category; `read` without `delivered`; `played` never undone. Fixtures composed from Meta's
documentation (tests/fixtures/providers/SOURCES.md)."""

import json

import pytest

from app.db import get_db
from app.services.conversations import delivery, inbound, live, outbound, routing, statuses
from app.services.reporting import pricing_report
from tests.engine.helpers import message
from tests.engine.test_meta_flow import MESSAGES, meta_account, meta_text_event, sent_ok
from tests.support.builders import make_user
from tests.support.engine import make_queue
from tests.webhooks.support import deliver, post_fixture, signed

PRICED = {
    "31": "meta/status_sent_pricing_marketing.json",
    "32": "meta/status_delivered_pricing_utility.json",
    "33": "meta/status_sent_pricing_authentication.json",
    "34": "meta/status_delivered_pricing_service_free.json",
    "35": "meta/status_sent_pricing_referral_free_entry_point_v23.json",
}
DAY = "2026-01-01"  # the fixtures' timestamps


def wamid(n):
    return f"wamid.FAKE0000000000000000000000{n}="


@pytest.fixture
def meta(app, fake_provider):
    agent = make_user("agent", name="Alice")
    account = meta_account(fake_provider, make_queue([agent["_id"]]))
    inbound.ingest(account, [meta_text_event(account)])
    interaction = routing.accept(agent, get_db().interactions.find_one({})["_id"])

    def send(provider_id, text="Hello"):
        fake_provider.script("POST", MESSAGES, sent_ok(provider_id))
        sent, _ = outbound.compose(agent, interaction["_id"], {"text": text})
        assert delivery.deliver(str(interaction["_id"]), sent["id"]) == "sent"
        return sent["id"]

    return account, interaction, send


def sums(account):
    return {
        (d["category"], d.get("billable", 0), d.get("free", 0))
        for d in get_db().pricing_daily.find({"account_id": account["_id"], "day": DAY})
    }


def test_each_category_is_counted_once_however_often_meta_repeats_it(app, meta):
    account, interaction, send = meta
    ids = {n: send(wamid(n), f"message {n}") for n in PRICED}
    client = app.test_client()
    for rel in [*PRICED.values(), *PRICED.values()]:  # Meta delivers callbacks at least once
        assert post_fixture(client, account, rel).status_code == 200
    # The same message's later status repeats its pricing: still one message.
    body = json.loads(open_fixture(PRICED["31"]))
    body["entry"][0]["changes"][0]["value"]["statuses"][0].update(status="delivered", timestamp="1767225700")
    deliver(client, account, *reversed(signed(account, json.dumps(body).encode(), "application/json")))
    assert sums(account) == {
        ("marketing", 1, 0),
        ("utility", 1, 0),
        ("authentication", 1, 0),
        ("service", 0, 1),
        ("referral_conversion", 0, 1),
    }
    marketing = message(interaction["_id"], ids["31"])
    assert marketing["status"] == "delivered"
    assert marketing["pricing"]["category"] == "marketing" and marketing["pricing"]["type"] == "regular"
    referral = message(interaction["_id"], ids["35"])["pricing"]
    assert referral == {
        "billable": False,
        "pricing_model": "PMP",
        "category": "referral_conversion",
        "type": "free_entry_point",
        "conversation_id": "00000000000000000000000000000035",
        "origin": "referral_conversion",
        "expires_at": 1767312240,
    }
    week = pricing_report.report(DAY, DAY)
    assert [(r["category"], r["billable"], r["free"]) for r in week["totals"]] == [
        ("authentication", 1, 0),
        ("marketing", 1, 0),
        ("referral_conversion", 0, 1),
        ("service", 0, 1),
        ("utility", 1, 0),
    ]


def open_fixture(rel):
    from tests.providers.support import read_bytes

    return read_bytes(rel)


def test_pricing_that_beats_the_send_is_counted_and_kept_on_the_message(app, meta):
    account, interaction, send = meta
    post_fixture(app.test_client(), account, PRICED["32"])  # our send job has not recorded the id yet
    assert sums(account) == {("utility", 1, 0)}
    sent_id = send(wamid(32))
    stored = message(interaction["_id"], sent_id)
    assert stored["status"] == "delivered" and stored["pricing"]["category"] == "utility"
    assert sums(account) == {("utility", 1, 0)}


def test_read_without_delivered_is_read_and_implies_delivered(app, meta):
    account, interaction, send = meta
    sent_id = send("wamid.FAKE000000000000000000000015=")
    post_fixture(app.test_client(), account, "meta/status_read.json")
    stored = message(interaction["_id"], sent_id)
    assert stored["status"] == "read"
    assert stored["status_times"]["delivered"] == stored["status_times"]["read"]
    events = live.events_since(interaction["_id"], 0)["events"]
    assert [e["status"] for e in events if e["event"] == "message_status"] == ["sent", "read"]
    # A late `delivered` changes nothing.
    assert (
        statuses.apply_now(account["_id"], stored["provider_message_id"], "delivered", stored["status_times"]["read"]) == "stale"
    )
    assert message(interaction["_id"], sent_id)["status"] == "read"


def test_played_is_never_undone_by_a_late_read_or_delivered(app, meta):
    account, interaction, send = meta
    sent_id = send(wamid(36))
    post_fixture(app.test_client(), account, "meta/status_played_voice.json")
    stored = message(interaction["_id"], sent_id)
    assert stored["status"] == "played" and "delivered" in stored["status_times"]
    for late in ("read", "delivered", "sent", "failed"):
        assert statuses.apply_now(account["_id"], wamid(36), late, stored["status_times"]["played"]) == "stale"
    assert message(interaction["_id"], sent_id)["status"] == "played"
