"""Recipients handed to senders a batch at a time: two runs at once still send each number once,
what a dead run held goes to the next one, an expansion cut short starts over, and
every query a campaign makes is served by a declared index."""

import threading
from collections import Counter

from app import queues
from app.db import get_db
from app.services.campaigns import campaign_progress, campaign_records, claims, recipients, recovery, sender
from app.services.conversations import reconcile
from tests.campaigns.test_sending import SEND_PATH, contacts, new_campaign, ok, setup  # noqa: F401 - the fixture
from tests.engine.test_index_coverage import ENGINE_COLLECTIONS
from tests.support.query_shapes import embedded_only, recording, uncovered

MANY = 2 * claims.BATCH + 50  # three batches, the last one short


def numbers(count, prefix="+4477009"):
    return [f"{prefix}{n:05d}" for n in range(count)]


def sent_to(fake_provider):
    return Counter("+" + request.json["to"] for request in fake_provider.requests_to(SEND_PATH))


def test_two_runs_of_one_campaign_at_once_send_each_number_once(setup, fake_provider):  # noqa: F811
    fake_provider.route("POST", SEND_PATH, ok)
    contacts(setup["lists"][0], *({"first_name": "T", "mobile": number} for number in numbers(MANY)))
    campaign = new_campaign(setup, rate=1000)
    assert get_db().campaign_recipients.distinct("batch", {"campaign_id": campaign["_id"]}) == [0, 1, 2]
    runs = [threading.Thread(target=sender.run, args=(campaign["_id"],)) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(60)
    assert sender.run(campaign["_id"]) == "done"
    counted = sent_to(fake_provider)
    assert set(counted) == set(numbers(MANY)) and set(counted.values()) == {1}, "each number once, none missing"
    assert get_db().campaign_recipients.count_documents({"claim": {"$exists": True}}) == 0


def test_what_a_dead_run_held_but_never_sent_is_sent_by_the_next_one(setup, fake_provider):  # noqa: F811
    fake_provider.route("POST", SEND_PATH, ok)
    contacts(setup["lists"][0], *({"first_name": "D", "mobile": number} for number in numbers(5)))
    campaign = new_campaign(setup)
    dead = claims.Claims(campaign["_id"])
    assert dead.next() is not None  # it held the whole batch and died before moving any to `sending`
    queues.get_queue("campaigns").empty()
    assert reconcile.reconcile(60)["resume_campaigns"] == 1, "no lease: its job is gone"
    assert sender.run(campaign["_id"]) == "done", "nothing was in doubt: none reached the provider"
    assert sorted(sent_to(fake_provider)) == numbers(5)


def test_an_expansion_cut_short_is_started_over_by_the_reconciler(setup, fake_provider):  # noqa: F811
    fake_provider.route("POST", SEND_PATH, ok)
    contacts(setup["lists"][0], *({"first_name": "E", "mobile": number} for number in numbers(7)))
    created = campaign_records.create(setup["admin"], {
        "name": "Cut", "account_id": str(setup["account"]["_id"]), "template_id": str(setup["template"]["_id"]),
        "list_ids": [str(setup["lists"][0])], "params": {"body": [{"field": "first_name"}, {"value": "A-1"}]}})
    half = [recipients._record(created, contact) for contact in get_db().contacts.find({}).limit(3)]
    get_db().campaign_recipients.insert_many(half)  # the job wrote a part and died
    queues.get_queue("campaigns").empty()
    assert recovery.resume_campaigns() == 1
    assert [job.id for job in queues.get_queue("campaigns").jobs] == [f"campaign-{created['_id']}"]
    assert sender.run(created["_id"]) == "done"
    assert get_db().campaigns.find_one({"_id": created["_id"]})["expanded"] == {"pending": 7, "skipped": 0}
    assert sorted(sent_to(fake_provider)) == numbers(7)


def test_a_cancel_while_preparing_sends_nothing(setup, fake_provider):  # noqa: F811
    fake_provider.route("POST", SEND_PATH, ok)
    contacts(setup["lists"][0], {"first_name": "C", "mobile": "+447700900999"})
    created = campaign_records.create(setup["admin"], {
        "name": "Off", "account_id": str(setup["account"]["_id"]), "template_id": str(setup["template"]["_id"]),
        "list_ids": [str(setup["lists"][0])], "params": {"body": [{"field": "first_name"}, {"value": "A-1"}]}})
    campaign_records.cancel(created["_id"])
    assert sender.run(created["_id"]) == "cancelled" and not fake_provider.requests_to(SEND_PATH)


@embedded_only
def test_a_campaign_queries_only_through_declared_indexes(setup, fake_provider):  # noqa: F811
    fake_provider.route("POST", SEND_PATH, ok)
    contacts(setup["lists"][0], *({"first_name": "Q", "mobile": number} for number in numbers(claims.BATCH + 5)))
    with recording(ENGINE_COLLECTIONS | {"campaign_recipients", "campaigns", "opt_outs"}) as shapes:
        campaign = new_campaign(setup, rate=1000)
        dead = claims.Claims(campaign["_id"])
        dead.next()
        recovery.resume_campaigns()
        assert sender.run(campaign["_id"]) == "done"
        campaign_progress.progress(campaign["_id"])
        campaign_records.recipients_page(campaign["_id"], {"state": "sent"})
    assert len(shapes) > 5
    assert uncovered(shapes) == []


def test_a_second_expansion_job_after_the_first_finished_deletes_nothing(setup, fake_provider):  # noqa: F811
    contacts(setup["lists"][0], *({"first_name": "S", "mobile": number} for number in numbers(3)))
    created = campaign_records.create(setup["admin"], {
        "name": "Twice", "account_id": str(setup["account"]["_id"]), "template_id": str(setup["template"]["_id"]),
        "list_ids": [str(setup["lists"][0])], "params": {"body": [{"field": "first_name"}, {"value": "A-1"}]}})
    recipients.prepare(created)
    before = sorted(r["_id"] for r in get_db().campaign_recipients.find({"campaign_id": created["_id"]}))
    assert recipients.prepare(created)["state"] == "sending", "it read the campaign again: prepared already"
    assert sorted(r["_id"] for r in get_db().campaign_recipients.find({"campaign_id": created["_id"]})) == before


def test_a_template_deleted_under_a_campaign_pauses_it_and_strands_nobody(setup, fake_provider):  # noqa: F811
    fake_provider.route("POST", SEND_PATH, ok)
    contacts(setup["lists"][0], *({"first_name": "G", "mobile": number} for number in numbers(5)))
    campaign = new_campaign(setup)
    get_db().templates.delete_one({"_id": setup["template"]["_id"]})
    assert sender.run(campaign["_id"]) == "paused"
    paused = get_db().campaigns.find_one({"_id": campaign["_id"]})
    assert paused["paused_because"].startswith("The template can no longer be sent as this campaign fills it (Its template")
    assert campaign_progress.progress(campaign["_id"])["pending"] == 5 and not fake_provider.requests_to(SEND_PATH)
