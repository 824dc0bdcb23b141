"""With a real server, its embedded workers and agents' Socket.IO connections: a closed queue's
interaction is not offered, not even to an agent who connects, and reaches the agent once the queue
opens; the "no agent is available" message is left out while an agent of the queue is online."""

from datetime import UTC, datetime, timedelta

from app import jobs
from app.db import get_db
from app.domain.shapes import DEFAULT_NO_AGENTS, DEFAULT_RECEIVED
from app.realtime.push import online_user_ids
from app.services.setup import queue_admin
from tests.assistant.support import customer_sends, interaction_of
from tests.routing.support import automatic, system_lines, waiting_queue
from tests.support.builders import make_user
from tests.support.sockets import connect_as, wait_for

ALL_DAY = {day: [{"start": "00:00", "end": "24:00"}] for day in ("monday", "tuesday", "wednesday", "thursday", "friday",
                                                                  "saturday", "sunday")}


def _today_and_tomorrow():
    today = datetime.now(UTC).date()
    return [{"date": str(today), "name": "Closed"}, {"date": str(today + timedelta(days=1)), "name": "Closed"}]


def test_a_closed_queues_interaction_reaches_the_agent_when_the_queue_opens(live_server, client):
    alice = make_user("agent", name="Alice")
    queue, account = waiting_queue([alice], hours={"weekly": ALL_DAY, "holidays": _today_and_tomorrow(),
                                                   "out_of_hours_message": "We are closed today."})
    early = connect_as(live_server, alice["email"])
    try:
        customer_sends(client, account, "Hello")
        interaction = interaction_of(account)
        assert wait_for(lambda: automatic(interaction) == [("We are closed today.", "sent")])
        assert system_lines(interaction)[0].startswith("Received outside business hours; the queue opens ")
        late = connect_as(live_server, alice["email"])  # an agent signing in meanwhile is not offered it either
        [offers] = late.wait_for_event("offers")
        assert offers["interactions"] == [] and early.received("offer") == []
        late.disconnect()

        queue_admin.update_queue(str(queue["_id"]), {"hours": {"holidays": []}})  # the admin opens it today
        jobs.enqueue(jobs.DISPATCH_OPENED_QUEUES)  # the periodic job's next run
        [offer] = early.wait_for_event("offer")
        assert offer["interaction"]["id"] == str(interaction["_id"])
    finally:
        early.disconnect()


def test_no_agents_message_only_while_none_is_online(live_server, client):
    alice = make_user("agent", name="Alice")
    queue, account = waiting_queue([alice], received=True, no_agents=True)
    customer_sends(client, account, "Hello", sender="+447700900901")
    first = interaction_of(account, "+447700900901")
    assert wait_for(lambda: automatic(first) == [(f"{DEFAULT_RECEIVED}\n\n{DEFAULT_NO_AGENTS}", "sent")])

    socket = connect_as(live_server, alice["email"])
    try:
        assert wait_for(lambda: str(alice["_id"]) in online_user_ids())
        customer_sends(client, account, "Hello", sender="+447700900902")
        second = interaction_of(account, "+447700900902")
        assert wait_for(lambda: automatic(second) == [(DEFAULT_RECEIVED, "sent")])
        # The agent offered the interaction hears of the automatic reply too.
        assert wait_for(lambda: [e for e in socket.received("message")
                                 if e["interaction_id"] == str(second["_id"]) and e["message"].get("automatic")])
        assert get_db().interactions.find_one({"_id": second["_id"]})["status"] == "queued"
    finally:
        socket.disconnect()
