"""A campaign sent through the fake Meta Cloud API (real HTTP on loopback): recipients expanded
once, each number sent once at the number's rate, provider errors classified, pause, resume and
cancel, and a sender that died mid-run resumed without sending anyone twice."""

import itertools
import json
import threading
from datetime import UTC, datetime, timedelta

import pytest

from app import queues
from app.db import get_db
from app.observability.gauges import ScrapeGauges
from app.services import clock
from app.services.campaigns import campaign_progress, campaign_records, claims, recovery, sender
from app.services.campaigns import recipients as recipients_module
from app.services.conversations import statuses
from app.services.errors import Conflict, ValidationFailed
from tests.fakes.provider_server import FakeResponse
from tests.operations.support import collected, value
from tests.providers.support import read_bytes
from tests.support.builders import make_user
from tests.support.jobs import run_inbound
from tests.webhooks.support import PNID, make_account, path_of, signed

SEND_PATH = f"/v23.0/{PNID}/messages"
ids = itertools.count()


def ok(_request=None):
    return FakeResponse(json={"messaging_product": "whatsapp", "messages": [{"id": f"wamid.CAMP{next(ids)}"}]})


def meta_error(code, status=400, title="error"):
    return FakeResponse(status, {"error": {"message": title, "type": "OAuthException", "code": code, "fbtrace_id": "x"}})


@pytest.fixture
def setup(app, fake_provider):
    account = make_account("meta", api_base=fake_provider.url + "/v23.0")
    get_db().accounts.update_one({"_id": account["_id"]}, {"$set": {"settings.messages_per_second": 1000}})  # the top tier
    template = {"account_id": account["_id"], "name": "order_ready", "language": "en", "status": "APPROVED",
                "category": "utility",
                "components": [{"type": "BODY", "text": "Hi {{1}}, your order {{2}} is ready."}]}
    template["_id"] = get_db().templates.insert_one(template).inserted_id
    lists = [get_db().contact_lists.insert_one({"name": name}).inserted_id for name in ("Shop A", "Shop B")]
    return {"account": account, "template": template, "lists": lists, "admin": make_user("admin")}


def contacts(list_id, *rows):
    get_db().contacts.insert_many([{"list_id": list_id, "tags": [], "phone": row.get("mobile"), **row} for row in rows])


def new_campaign(setup, prepared=True, **overrides):
    """A campaign created by the admin, its recipients expanded as its job does first (`prepared`;
    leave that to the job where a worker runs it, as the live server's does)."""
    data = {"name": "Orders", "account_id": str(setup["account"]["_id"]), "template_id": str(setup["template"]["_id"]),
            "list_ids": [str(list_id) for list_id in setup["lists"]],
            "params": {"body": [{"field": "first_name"}, {"value": "A-100"}]}, **overrides}
    campaign = campaign_records.create(setup["admin"], data)
    assert campaign["state"] == "preparing", "the request leaves the expansion to the campaign's job"
    return recipients_module.prepare(campaign) if prepared else campaign


def held_by_a_dead_sender(campaign):
    """A run claimed a batch, moved its first recipient to `sending` and died before recording the send."""
    dead = claims.Claims(campaign["_id"])
    recipient = dead.next()
    assert dead.start_sending(recipient)
    return recipient


def recipients(campaign):
    return {r["phone"] or r["contact_id"]: r for r in get_db().campaign_recipients.find({"campaign_id": campaign["_id"]})}


def test_recipients_are_expanded_once_per_number_and_what_is_left_out_says_why(setup):
    a, b = setup["lists"]
    contacts(a, {"first_name": "Ana", "mobile": "+447700900001"}, {"first_name": "Bo", "mobile": "07700"},
             {"first_name": "Cy", "phone": "+447700900003", "opted_out": True}, {"first_name": "", "mobile": "+447700900004"})
    contacts(b, {"first_name": "Ana again", "mobile": "+44 7700 900001"}, {"first_name": "Dee", "mobile": "+447700900005"})
    campaign = new_campaign(setup)
    assert campaign["expanded"] == {"pending": 2, "skipped": 3}
    found = recipients(campaign)
    assert found["+447700900001"]["params"] == {"header": [], "body": ["Ana", "A-100"], "buttons": {}}, "the first contact's"
    assert found["+447700900003"]["reason"] == "Opted out of marketing messages."
    assert found["+447700900004"]["reason"] == "No first name for this contact: the template needs it."
    [invalid] = [r for r in found.values() if r["phone"] is None]
    assert invalid["reason"] == "No valid WhatsApp number."


def test_a_campaign_is_checked_whole_before_anything_is_written(setup):
    with pytest.raises(ValidationFailed) as refused:
        new_campaign(setup, params={"body": [{"field": "first_name"}]})
    assert "params.body" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        new_campaign(setup, rate=5000)
    assert "rate" in refused.value.fields
    get_db().templates.update_one({"_id": setup["template"]["_id"]}, {"$set": {"status": "REJECTED"}})
    with pytest.raises(ValidationFailed) as refused:
        new_campaign(setup)
    assert refused.value.fields == {"template_id": "This template is rejected: it cannot be sent."}
    assert get_db().campaigns.count_documents({}) == 0 and get_db().campaign_recipients.count_documents({}) == 0


def test_each_number_is_sent_once_with_its_parameters_and_the_campaign_ends_done(setup, fake_provider):
    fake_provider.route("POST", SEND_PATH, ok)
    contacts(setup["lists"][0], *({"first_name": f"C{n}", "mobile": f"+4477009001{n:02d}"} for n in range(30)))
    campaign = new_campaign(setup, rate=200)
    assert sender.run(campaign["_id"]) == "done"
    sent = [request.json for request in fake_provider.requests_to(SEND_PATH)]
    assert sorted("+" + body["to"] for body in sent) == sorted(f"+4477009001{n:02d}" for n in range(30))
    by_number = {"+" + body["to"]: body["template"]["components"][0]["parameters"] for body in sent}
    assert [p["text"] for p in by_number["+447700900107"]] == ["C7", "A-100"]
    assert campaign_progress.progress(campaign["_id"])["sent"] == 30
    assert all(r["provider_message_id"].startswith("wamid.CAMP") for r in recipients(campaign).values())


def test_errors_that_cannot_succeed_are_final_with_their_meaning_and_throttling_slows_down(setup, fake_provider):
    answers = {"+447700900201": [meta_error(131026, title="Message undeliverable")],
               "+447700900202": [meta_error(130429, status=429, title="Rate limit hit"), None],
               "+447700900203": [FakeResponse(503, {"error": {"message": "down", "code": 1}}), None]}

    def answer(request):
        scripted = answers.get("+" + request.json["to"])  # Meta takes the number without its "+"
        return (scripted.pop(0) if scripted else None) or ok()

    fake_provider.route("POST", SEND_PATH, answer)
    contacts(setup["lists"][0], *({"first_name": "X", "mobile": number} for number in answers))
    campaign = new_campaign(setup, rate=100)
    assert sender.run(campaign["_id"]) == "done"
    found = recipients(campaign)
    failed = found["+447700900201"]
    assert failed["state"] == "failed" and failed["error"]["code"] == "131026"
    assert "will not try again" in failed["error"]["sentence"]
    assert found["+447700900202"]["state"] == found["+447700900203"]["state"] == "sent"
    assert len(fake_provider.requests_to(SEND_PATH)) == 5, "each retryable one tried twice, the final one once"
    sends = collected(ScrapeGauges())  # parley_sends_total among them, as /metrics shows it
    assert value(sends, "parley_sends_total", provider="meta", kind="campaign", outcome="failed", code="131026") == 1
    assert value(sends, "parley_sends_total", provider="meta", kind="campaign", outcome="retried", code="130429") == 1
    assert value(sends, "parley_sends_total", provider="meta", kind="campaign", outcome="retried", code="1") == 1
    assert value(sends, "parley_sends_total", provider="meta", kind="campaign", outcome="sent", code="") == 2


def test_an_expired_token_pauses_the_campaign_and_resume_sends_the_rest(setup, fake_provider):
    fake_provider.route("POST", SEND_PATH, lambda _request: meta_error(190, status=401, title="Session has expired"))
    contacts(setup["lists"][0], *({"first_name": "Y", "mobile": f"+4477009003{n:02d}"} for n in range(3)))
    campaign = new_campaign(setup)
    assert sender.run(campaign["_id"]) == "paused"
    assert get_db().campaigns.find_one({"_id": campaign["_id"]})["paused_because"] == (
        "The account's credentials were refused. Renew the account's credentials, then resume the campaign."
    )
    assert campaign_progress.progress(campaign["_id"])["pending"] == 3, "nobody failed for the account's token"
    fake_provider.route("POST", SEND_PATH, ok)
    campaign_records.resume(campaign["_id"])
    assert sender.run(campaign["_id"]) == "done"
    assert campaign_progress.progress(campaign["_id"])["sent"] == 3


def test_pause_stops_every_lane_within_a_second_and_cancel_ends_it(setup, fake_provider):
    fake_provider.route("POST", SEND_PATH, ok)
    contacts(setup["lists"][0], *({"first_name": "Z", "mobile": f"+4477009004{n:02d}"} for n in range(60)))
    campaign = new_campaign(setup, rate=20)
    running = threading.Thread(target=sender.run, args=(campaign["_id"],))
    running.start()
    while campaign_progress.progress(campaign["_id"])["sent"] < 5:
        running.join(0.05)
    campaign_records.pause(campaign["_id"])
    running.join(10)
    assert not running.is_alive(), "the senders read the pause"
    stopped = len(fake_provider.requests_to(SEND_PATH))
    assert stopped < 60 and campaign_progress.progress(campaign["_id"])["sending"] == 0
    assert get_db().campaign_recipients.count_documents({"claim": {"$exists": True}}) == 0, "what it held is given back"
    with pytest.raises(Conflict):
        campaign_records.pause(campaign["_id"])
    campaign_records.cancel(campaign["_id"])
    assert sender.run(campaign["_id"]) == "cancelled"
    assert len(fake_provider.requests_to(SEND_PATH)) == stopped


def test_a_recipient_claimed_by_a_sender_that_died_is_never_sent_again(setup, fake_provider):
    fake_provider.route("POST", SEND_PATH, ok)
    contacts(setup["lists"][0], *({"first_name": "W", "mobile": f"+4477009005{n:02d}"} for n in range(4)))
    campaign = new_campaign(setup)
    claimed = held_by_a_dead_sender(campaign)
    assert sender.run(campaign["_id"]) == "sending", "not done while a claim is open"
    sent = ["+" + request.json["to"] for request in fake_provider.requests_to(SEND_PATH)]
    assert sorted(sent) == sorted({f"+4477009005{n:02d}" for n in range(4)} - {claimed["phone"]})
    assert get_db().campaign_recipients.find_one({"_id": claimed["_id"]})["state"] == "sending"


def meta_status(provider_message_id, status, timestamp):
    body = json.loads(read_bytes("meta/status_delivered.json"))
    change = body["entry"][0]["changes"][0]["value"]["statuses"][0]
    change.update(id=provider_message_id, status=status, timestamp=str(timestamp))
    return body


def test_delivery_statuses_move_a_recipient_forward_only_through_the_signed_webhook(app, setup, fake_provider):
    fake_provider.route("POST", SEND_PATH, lambda request: FakeResponse(
        json={"messaging_product": "whatsapp", "messages": [{"id": f"wamid.TO{request.json['to']}"}]}))
    contacts(setup["lists"][0], {"first_name": "Ana", "mobile": "+447700900701"}, {"first_name": "Bo", "mobile": "+447700900702"})
    campaign = new_campaign(setup)
    early = get_db().campaign_recipients.find_one({"phone": "+447700900702"})
    # The provider's "delivered" for Bo's send arrives before the sender recorded its id.
    assert statuses.apply_now(setup["account"]["_id"], "wamid.TO447700900702", "delivered", clock.now()) == "pending"
    assert early["state"] == "pending"
    assert sender.run(campaign["_id"]) == "done"
    found = recipients(campaign)
    assert found["+447700900702"]["state"] == "delivered", "the early status applied once the id was known"
    ana = found["+447700900701"]["provider_message_id"]
    client = app.test_client()
    for status, at in (("read", 1_800_000_100), ("delivered", 1_800_000_050), ("failed", 1_800_000_200)):
        headers, body = signed(setup["account"], meta_status(ana, status, at))
        assert client.post(path_of(setup["account"]), data=body, headers=headers).status_code == 200
    run_inbound(app)
    assert recipients(campaign)["+447700900701"]["state"] == "read", "read stays: a late delivered or failed does not undo it"
    assert campaign_progress.progress(campaign["_id"])["read"] == 1


def test_a_scheduled_campaign_starts_at_its_local_time_once(setup, fake_provider):
    fake_provider.route("POST", SEND_PATH, ok)
    contacts(setup["lists"][0], {"first_name": "Ana", "mobile": "+447700900801"})
    clock.freeze(datetime(2026, 12, 1, 7, 0, tzinfo=UTC))
    campaign = new_campaign(setup, start_at="2026-12-01T09:30", time_zone="Europe/Rome")  # 08:30 UTC in winter
    assert campaign["state"] == "scheduled" and clock.aware(campaign["start_at"]) == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    [delayed] = queues.get_queue("campaigns").scheduled_job_registry.get_job_ids()
    assert delayed == f"campaign-start-{campaign['_id']}"
    assert sender.run(campaign["_id"]) == "scheduled", "a job early for its time sends nothing"
    assert recovery.start_due_campaigns() == 0
    clock.advance(timedelta(hours=1, minutes=31))
    assert recovery.start_due_campaigns() == 1, "a lost delayed job is replaced"
    assert sender.run(campaign["_id"]) == "done" and sender.run(campaign["_id"]) == "done"
    assert len(fake_provider.requests_to(SEND_PATH)) == 1


def test_a_start_time_must_be_in_a_known_zone_and_not_past(setup):
    clock.freeze(datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    with pytest.raises(ValidationFailed) as refused:
        new_campaign(setup, start_at="2026-12-01T09:30", time_zone="Mars/Olympus")
    assert refused.value.fields == {"time_zone": "Unknown time zone: use a name like Europe/Rome."}
    with pytest.raises(ValidationFailed) as refused:
        new_campaign(setup, start_at="2026-12-01T09:30")
    assert "passed" in refused.value.fields["start_at"]
    with pytest.raises(ValidationFailed) as refused:
        new_campaign(setup, start_at="tomorrow 9")
    assert refused.value.fields == {"start_at": "Use a date and time like 2026-12-01T09:00."}
    with pytest.raises(ValidationFailed) as refused:
        new_campaign(setup, start_at="2027-02-30T09:00")
    assert refused.value.fields == {"start_at": "No such date: check the day and the month."}
    with pytest.raises(ValidationFailed) as refused:
        new_campaign(setup, time_zone="America")  # a folder of zones, not one
    assert refused.value.fields == {"time_zone": "Unknown time zone: use a name like Europe/Rome."}
    assert new_campaign(setup, start_at="2026-12-01T11:58")["state"] == "sending", "a moment ago: now"
