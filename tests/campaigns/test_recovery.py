"""A campaign whose sender died: resumed by the reconciler, and what the dead sender had claimed
settled without sending anyone twice."""

import json
import threading
from datetime import timedelta

from redis.exceptions import RedisError

from app import queues
from app.db import get_db
from app.services import clock
from app.services.campaigns import recovery, sender
from app.services.conversations import reconcile
from tests.campaigns.test_sending import (  # noqa: F401
    SEND_PATH,
    contacts,
    held_by_a_dead_sender,
    meta_status,
    new_campaign,
    ok,
    setup,
)
from tests.support.engine import make_queue, make_sandbox_account
from tests.support.jobs import run_inbound
from tests.support.own_redis import OwnRedis
from tests.webhooks.support import path_of, signed


def died_holding_one(setup, count=3):  # noqa: F811 - the fixture's value
    contacts(setup["lists"][0], *({"first_name": "R", "mobile": f"+4477009008{n:02d}"} for n in range(count)))
    campaign = new_campaign(setup)
    queues.get_queue("campaigns").empty()  # the job its creation queued: lost with the worker
    return campaign, held_by_a_dead_sender(campaign)


def campaign_jobs():
    return [job.id for job in queues.get_queue("campaigns").jobs]


def test_a_campaign_left_without_a_sender_is_queued_again_and_its_doubtful_claim_resent_once(setup, fake_provider):  # noqa: F811
    fake_provider.route("POST", SEND_PATH, ok)
    campaign, claimed = died_holding_one(setup)
    assert reconcile.reconcile(60)["resume_campaigns"] == 1
    assert campaign_jobs() == [f"campaign-{campaign['_id']}"]
    assert recovery.resume_campaigns() == 0, "its job waits in the queue already: not queued twice"
    assert get_db().campaign_recipients.find_one({"_id": claimed["_id"]})["state"] == "sending", "not in doubt yet"
    clock.advance(recovery.IN_DOUBT_FOR + timedelta(minutes=1))  # no status ever came for it: not accepted
    recovery.resume_campaigns()
    assert get_db().campaign_recipients.find_one({"_id": claimed["_id"]})["state"] == "pending"
    assert sender.run(campaign["_id"]) == "done"
    sent = ["+" + request.json["to"] for request in fake_provider.requests_to(SEND_PATH)]
    assert sorted(sent) == [f"+4477009008{n:02d}" for n in range(3)], "each once"


def test_a_status_echoing_a_claimed_recipient_adopts_its_send_so_it_is_never_sent_again(app, setup, fake_provider):  # noqa: F811
    fake_provider.route("POST", SEND_PATH, ok)
    campaign, claimed = died_holding_one(setup)
    status = meta_status("wamid.BEFORE_CRASH", "delivered", 1_800_000_000)
    status["entry"][0]["changes"][0]["value"]["statuses"][0]["biz_opaque_callback_data"] = str(claimed["_id"])
    headers, body = signed(setup["account"], json.dumps(status).encode())
    assert app.test_client().post(path_of(setup["account"]), data=body, headers=headers).status_code == 200
    run_inbound(app)
    adopted = get_db().campaign_recipients.find_one({"_id": claimed["_id"]})
    assert (adopted["state"], adopted["provider_message_id"]) == ("delivered", "wamid.BEFORE_CRASH")
    clock.advance(recovery.IN_DOUBT_FOR + timedelta(minutes=1))
    recovery.resume_campaigns()
    assert sender.run(campaign["_id"]) == "done"
    sent = {"+" + request.json["to"] for request in fake_provider.requests_to(SEND_PATH)}
    assert claimed["phone"] not in sent and len(sent) == 2


def test_a_running_sender_keeps_the_reconciler_away(setup):  # noqa: F811
    campaign, _ = died_holding_one(setup)
    recovery.hold_lease(campaign["_id"])
    assert recovery.resume_campaigns() == 0 and campaign_jobs() == []


def test_where_the_provider_cannot_tell_a_doubtful_send_fails_instead_of_going_twice(setup):  # noqa: F811
    sandbox = make_sandbox_account(make_queue())
    get_db().templates.update_one({"_id": setup["template"]["_id"]}, {"$set": {"account_id": sandbox["_id"]}})
    campaign, claimed = died_holding_one({**setup, "account": sandbox})
    get_db().accounts.update_one({"_id": sandbox["_id"]}, {"$set": {"provider": "twilio"}})  # one that echoes nothing back
    clock.advance(recovery.IN_DOUBT_FOR + timedelta(minutes=1))
    recovery.resume_campaigns()
    settled = get_db().campaign_recipients.find_one({"_id": claimed["_id"]})
    assert settled["state"] == "failed" and "never gets it twice" in settled["error"]["sentence"]


class TestRedisGoneMidCampaign(OwnRedis):
    """Redis stops while a campaign sends (the shared rate, the leases and the reply waits live there)."""

    def test_the_campaign_resumes_once_redis_is_back_and_nobody_gets_it_twice(self, setup, fake_provider, redis_server):  # noqa: F811
        fake_provider.route("POST", SEND_PATH, ok)
        numbers = [f"+4477009011{n:02d}" for n in range(40)]
        contacts(setup["lists"][0], *({"first_name": "B", "mobile": number} for number in numbers))
        campaign = new_campaign(setup, rate=20)
        outcome = {}

        def job():
            try:
                outcome["state"] = sender.run(campaign["_id"])
            except RedisError as exc:  # the job fails: RQ would mark it failed
                outcome["error"] = exc

        running = threading.Thread(target=job)
        running.start()
        while len(fake_provider.requests_to(SEND_PATH)) < 5:
            running.join(0.05)
        redis_server.stop()
        running.join(10)
        assert not running.is_alive() and "error" in outcome, "the senders stop when Redis does"
        redis_server.start()  # empty: no lease, no rate, no waits
        assert reconcile.reconcile(60)["resume_campaigns"] == 1
        clock.advance(recovery.IN_DOUBT_FOR + timedelta(minutes=1))  # a send in doubt, if any, settles
        recovery.resume_campaigns()
        assert sender.run(campaign["_id"]) == "done"
        sent = ["+" + request.json["to"] for request in fake_provider.requests_to(SEND_PATH)]
        assert sorted(sent) == numbers, "each number once, none missing"
