"""A campaign's progress reaches admins live over Socket.IO (real server, real clients, real Redis):
a burst of sends and statuses is published a few times a second whichever processes sweep, its last
counts always arrive, agents hear nothing, and Redis not answering fails no status."""

import threading
import time

from app import queues
from app.db import get_db
from app.services import clock
from app.services.campaigns import campaign_progress, campaign_records, campaign_status, sender
from tests.campaigns.test_sending import SEND_PATH, contacts, meta_status, new_campaign, setup  # noqa: F401 - the fixture
from tests.fakes.provider_server import FakeResponse
from tests.foundation.test_realtime import server  # noqa: F401 - the fixture
from tests.support.http import signed_in_session
from tests.support.jobs import run_inbound
from tests.support.sockets import connect_as, wait_for
from tests.webhooks.support import path_of, signed
from tools.devstack import free_port


def by_number(request):
    return FakeResponse(json={"messaging_product": "whatsapp", "messages": [{"id": f"wamid.TO{request.json['to']}"}]})


def heard(client, campaign):
    return [event for event in client.received(campaign_progress.EVENT) if event["campaign_id"] == str(campaign["_id"])]


class AnotherProcess:
    """A second process's sweeper, as every web process holding sockets runs one (it tries more often)."""

    def __init__(self):
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.sweep, daemon=True)

    def sweep(self):
        while not self.stop.is_set():
            try:
                campaign_progress.publish_changed()
            except RuntimeError:  # the embedded engine read while written (a dict changed size): as the real loop, go on
                pass
            time.sleep(0.05)

    def __enter__(self):
        self.thread.start()

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(5)


def ending(events):
    last = events[-1]
    return last["state"], last["done"], last["total"], last["counts"]["sent"]


def test_bursts_are_published_a_few_times_a_second_and_end_on_their_last_counts(app, server, setup, fake_provider):  # noqa: F811
    fake_provider.route("POST", SEND_PATH, by_number)
    contacts(setup["lists"][0], *({"first_name": "B", "mobile": f"+44770090{1000 + n}"} for n in range(120)))
    campaign = new_campaign(setup, rate=120)
    admin = connect_as(server, setup["admin"]["email"])
    assert admin.wait_for_event("welcome")
    with AnotherProcess():
        started = time.monotonic()
        assert sender.run(campaign["_id"]) == "done"
        sending = time.monotonic() - started
        sent = heard(admin, campaign)
        assert 2 <= len(sent) <= 4 * sending + 3, f"{len(sent)} events in {sending:.1f} s of sending"
        # The last heard is the end, once any sweep that read the campaign before it is followed by the next.
        assert wait_for(lambda: ending(heard(admin, campaign)) == ("done", 120, 120, 120))

        # The statuses come by webhook and are applied in drain rounds: no one publishes at their end.
        client = app.test_client()
        for n in range(120):
            headers, body = signed(setup["account"], meta_status(f"wamid.TO44770090{1000 + n}", "delivered", 1_800_000_000 + n))
            assert client.post(path_of(setup["account"]), data=body, headers=headers).status_code == 200
        before, started = len(heard(admin, campaign)), time.monotonic()
        run_inbound(app)
        assert wait_for(lambda: heard(admin, campaign)[-1]["counts"]["delivered"] == 120), "the last counts arrive"
        draining = time.monotonic() - started
        assert len(heard(admin, campaign)) - before <= 4 * draining + 2
    admin.disconnect()


def test_a_change_made_while_its_campaign_is_published_is_published_after(app, server, setup, monkeypatch):  # noqa: F811
    contacts(setup["lists"][0], {"first_name": "A", "mobile": "+447700902101"}, {"first_name": "B", "mobile": "+447700902102"})
    campaign = new_campaign(setup)
    admin = connect_as(server, setup["admin"]["email"])
    assert admin.wait_for_event("welcome")
    first, second = get_db().campaign_recipients.find({"campaign_id": campaign["_id"]}, sort=[("_id", 1)])
    emit, meanwhile = campaign_progress.emit, [second]

    def emit_while_the_other_one_is_skipped(event, data, room):
        emit(event, data, room)  # counts read before the change below
        if meanwhile:
            skip(meanwhile.pop())

    def skip(recipient):
        get_db().campaign_recipients.update_one({"_id": recipient["_id"]}, {"$set": {"state": "skipped"}})
        campaign_progress.changed(campaign["_id"])

    monkeypatch.setattr(campaign_progress, "emit", emit_while_the_other_one_is_skipped)
    skip(first)
    assert wait_for(lambda: any(event["counts"]["skipped"] == 2 for event in heard(admin, campaign)))
    admin.disconnect()


def test_only_admins_hear_campaigns_and_a_pause_is_heard_at_once(server, setup, make_user):  # noqa: F811
    contacts(setup["lists"][0], {"first_name": "A", "mobile": "+447700902201"})
    campaign = new_campaign(setup)
    an_agent = make_user("agent")
    admin, agent = connect_as(server, setup["admin"]["email"]), connect_as(server, an_agent["email"])
    assert admin.wait_for_event("welcome") and agent.wait_for_event("welcome")
    campaign_records.pause(campaign["_id"])
    paused = wait_for(lambda: [event for event in heard(admin, campaign) if event["state"] == "paused"], timeout=1)[0]
    assert paused["counts"]["pending"] == 1
    campaign_records.resume(campaign["_id"])
    assert wait_for(lambda: heard(admin, campaign)[-1]["state"] == "sending", timeout=1)
    time.sleep(2 * campaign_progress.SWEEP_SECONDS)
    assert agent.received(campaign_progress.EVENT) == []
    asked = signed_in_session(server.url, an_agent["email"]).get(f"{server.url}/campaigns/{campaign['_id']}/progress", timeout=10)
    assert asked.status_code == 403, "nor can they ask for it"
    admin.disconnect()
    agent.disconnect()


def test_a_status_is_applied_when_redis_cannot_note_it(app, setup, fake_provider, caplog):  # noqa: F811
    fake_provider.route("POST", SEND_PATH, by_number)
    contacts(setup["lists"][0], {"first_name": "A", "mobile": "+447700902301"})
    campaign = new_campaign(setup)
    assert sender.run(campaign["_id"]) == "done"
    queues.configure(f"redis://127.0.0.1:{free_port()}")
    try:
        applied = campaign_status.apply(setup["account"]["_id"], "wamid.TO447700902301", "delivered", clock.now())
    finally:
        queues.configure(app.config["REDIS_URL"])
    assert applied == "applied"
    assert get_db().campaign_recipients.find_one({"campaign_id": campaign["_id"]})["state"] == "delivered"
    assert f"progress of campaign {campaign['_id']} not noted" in caplog.text
