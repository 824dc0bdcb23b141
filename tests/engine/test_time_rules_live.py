"""The queues' time rules with the real machinery: the periodic job run by real RQ workers on real Redis,
the nudge delivered to the fake Meta server, and a flagged interaction returned to the queue over HTTP
while its agents' Socket.IO clients listen."""

import itertools
from datetime import timedelta

import requests

from app import jobs
from app.db import get_db
from app.realtime import push
from app.services import clock
from app.services.conversations import inbound, live, outbound, routing
from app.services.people import api_tokens
from app.services.setup import queue_admin
from tests.engine.test_meta_flow import MESSAGES, meta_account, meta_text_event, sent_ok
from tests.support.builders import make_user
from tests.support.engine import customer_says, make_queue
from tests.support.jobs import run_inbound
from tests.support.sockets import connect_as, wait_for

NUDGE = "Are you still there? This conversation will close soon if we don't hear from you."
PHONE = "+447700900123"


def run_check(app):
    """The periodic job, queued as `rq cron` would, and run with the sends it queues by a real RQ worker."""
    jobs.enqueue(jobs.CHECK_INACTIVITY)
    run_inbound(app, ("maintenance", "outbound"))


def test_the_nudge_reaches_the_customer_through_the_provider_then_the_interaction_closes(app, fake_provider):
    agent = make_user("agent", name="Alice")
    queue = make_queue([agent["_id"]])
    queue_admin.update_queue(
        queue["_id"], {"inactivity": {"customer_idle_minutes": 10, "nudge_text": NUDGE, "close_after_nudge_minutes": 5}}
    )
    account = meta_account(fake_provider, queue)
    sends = itertools.count(1)
    fake_provider.route("POST", MESSAGES, lambda request: sent_ok(f"wamid.OUT{next(sends)}"))
    inbound.ingest(account, [meta_text_event(account, "Is my order shipped?")])
    interaction = routing.accept(agent, get_db().interactions.find_one({})["_id"])
    outbound.compose(agent, interaction["_id"], {"text": "Yes, this morning. Anything else?"})
    run_inbound(app, ("outbound",))

    clock.advance(timedelta(minutes=10))
    run_check(app)
    bodies = [r.json for r in fake_provider.requests_to(MESSAGES)]
    assert [b["text"]["body"] for b in bodies] == ["Yes, this morning. Anything else?", NUDGE]
    assert bodies[-1]["to"] == "15550001111"
    nudge = get_db().messages.find_one({"interaction_id": interaction["_id"], "text": NUDGE})
    assert nudge["status"] == "sent" and nudge["author"] == "system"

    run_check(app)  # a second run at the same moment sends nothing more
    assert len(fake_provider.requests_to(MESSAGES)) == 2
    clock.advance(timedelta(minutes=5))
    run_check(app)
    closed = get_db().interactions.find_one({"_id": interaction["_id"]})
    assert (closed["status"], closed["disposition"]) == ("closed", "Timeout")
    assert len(fake_provider.requests_to(MESSAGES)) == 2  # closing sends the customer nothing


def test_a_flagged_interaction_returned_to_the_queue_is_offered_again_and_its_agent_loses_it(live_server, team):
    admin = make_user("admin", name="Ada")
    queue_admin.update_queue(team["queue"]["_id"], {"routing": {"first_response_minutes": 5}})
    account = team["account"]
    inbound.ingest(account, customer_says(account, PHONE, "My card was charged twice", timestamp=int(clock.now().timestamp())))
    interaction_id = get_db().interactions.find_one({"contact.phone": PHONE})["_id"]
    routing.accept(team["alice"], interaction_id)
    alice, bob, boss = (connect_as(live_server, user["email"]) for user in (team["alice"], team["bob"], admin))
    assert alice.client.call("watch", {"interaction_id": str(interaction_id)}, timeout=10)["ok"]

    clock.advance(timedelta(minutes=6))
    jobs.enqueue(jobs.CHECK_INACTIVITY)  # the embedded worker runs it
    [flagged] = boss.wait_for_event("sla_breached")
    assert flagged["interaction_id"] == str(interaction_id) and flagged["interaction"]["sla_breached_at"]
    assert wait_for(lambda: alice.received("sla_breached"))  # her own desktop learns it too

    def api(user, path, **body):
        token = api_tokens.create_token(user["_id"], "tests")[0]
        headers = {"Authorization": f"Bearer {token}"}
        return requests.post(f"{live_server.url}/api/v1{path}", json=body, headers=headers, timeout=10)

    assert api(team["bob"], f"/interactions/{interaction_id}/requeue").status_code == 403
    answer = api(admin, f"/interactions/{interaction_id}/requeue")
    assert answer.status_code == 200 and answer.json()["interaction"]["status"] == "queued"

    reason = "Returned to the queue by Ada: no answer for 6 minutes"
    offer = wait_for(lambda: [e for e in bob.received("offer") if e.get("interaction_id") == str(interaction_id)])
    assert offer[0]["message"]["text"] == reason and offer[0]["interaction"]["agent_id"] is None
    [lost] = alice.wait_for_event("access_lost")
    assert lost == {"interaction_ids": [str(interaction_id)], "reason": reason}
    refused = api(team["alice"], f"/interactions/{interaction_id}/messages", text="Sorry, I am here")
    assert refused.status_code == 403

    room = live.interaction_room(interaction_id)
    assert not any(room in rooms for rooms in push.watched_rooms(str(team["alice"]["_id"])).values())
    assert api(team["bob"], f"/interactions/{interaction_id}/accept").status_code == 200
    assert wait_for(lambda: boss.received("assigned"))
    for client in (alice, bob, boss):
        client.disconnect()
