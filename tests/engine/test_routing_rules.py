"""Routing rules with a controlled clock and real Redis: strategies, offer timeouts, rejections,
capacity, priority, agents leaving mid-offer, and two rounds at once."""

import itertools
import threading
from datetime import timedelta

import pytest

from app.db import get_db
from app.realtime import push
from app.services import clock
from app.services.conversations import inbound, lifecycle, routing
from app.services.errors import Conflict
from app.services.routing import dispatcher, presence
from app.services.setup import queue_admin
from tests.support.builders import make_user
from tests.support.engine import customer_says, make_queue, make_sandbox_account

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze()
    yield
    clock.reset()


def connect(*agents):
    for agent in agents:
        push.mark_online(str(agent["_id"]), f"sid-{agent['_id']}")


def routed_queue(agents, strategy="round_robin", **settings):
    queue = make_queue([a["_id"] for a in agents])
    return queue_admin.update_queue(str(queue["_id"]), {"routing": {"strategy": strategy, **settings}})


def waiting(account):
    """A new customer writes: returns their waiting interaction."""
    phone = f"+4477009{next(_numbers):05d}"
    inbound.ingest(account, customer_says(account, phone, "Hello", timestamp=int(clock.now().timestamp())))
    return get_db().interactions.find_one({"contact.phone": phone, "is_open": True})


def offered_to(interaction):
    doc = get_db().interactions.find_one({"_id": interaction["_id"]}, {"offer": 1})
    offer = doc.get("offer") or {}
    return str(offer["agent_id"]) if offer.get("agent_id") else None


def ids(*agents):
    return [str(a["_id"]) for a in agents]


@pytest.fixture
def trio(app):
    agents = [make_user("agent", name=name) for name in ("Ana", "Ben", "Cid")]
    connect(*agents)
    return agents


def test_round_robin_takes_turns_and_remembers_where_it_stopped(trio):
    ana, ben, cid = trio
    account = make_sandbox_account(routed_queue(trio))
    first = [waiting(account) for _ in range(3)]
    assert dispatcher.route() == 3
    assert [offered_to(i) for i in first] == ids(ana, ben, cid)
    fourth = waiting(account)
    dispatcher.route()
    assert offered_to(fourth) == str(ana["_id"]), "the turn continues after the last one offered"


def test_an_offer_not_taken_in_time_moves_to_the_next_agent_then_comes_round_again(trio):
    ana, ben, cid = trio
    account = make_sandbox_account(routed_queue(trio, offer_timeout_seconds=30))
    interaction = waiting(account)
    dispatcher.route()
    assert offered_to(interaction) == str(ana["_id"])
    clock.advance(timedelta(seconds=29))
    dispatcher.route()
    assert offered_to(interaction) == str(ana["_id"]), "not before its time"
    holders = []
    for _ in range(4):
        clock.advance(timedelta(seconds=30))
        dispatcher.route()
        holders.append(offered_to(interaction))
    assert holders == ids(ben, cid, ana, ben), "everyone had a turn, then the turns start again"


def test_a_rejection_moves_the_offer_on_at_once_and_skips_that_agent(trio):
    ana, ben, cid = trio
    account = make_sandbox_account(routed_queue(trio))
    interaction = waiting(account)
    dispatcher.route()
    routing.reject(ana, interaction["_id"])
    assert offered_to(interaction) is None
    dispatcher.route()
    assert offered_to(interaction) == str(ben["_id"])
    for _ in range(3):
        clock.advance(timedelta(seconds=31))
        dispatcher.route()
        assert offered_to(interaction) != str(ana["_id"])


def test_only_the_agent_offered_may_accept_and_the_others_hear_who(trio):
    ana, ben, _ = trio
    account = make_sandbox_account(routed_queue(trio))
    interaction = waiting(account)
    dispatcher.route()
    with pytest.raises(Conflict, match="offered to Ana"):
        routing.accept(ben, interaction["_id"])
    doc = routing.accept(ana, interaction["_id"])
    assert doc["agent_id"] == ana["_id"] and doc["offer"] is None


def test_least_recent_offers_to_whoever_was_assigned_longest_ago(trio):
    ana, ben, cid = trio
    account = make_sandbox_account(routed_queue(trio, strategy="least_recent"))
    for agent in (cid, ana, ben):  # Cid assigned first, then Ana, then Ben
        clock.advance(timedelta(minutes=1))
        routing._note_assigned(agent["_id"])
    interaction = waiting(account)
    dispatcher.route()
    assert offered_to(interaction) == str(cid["_id"])


def test_fewest_open_offers_to_the_lightest_load(trio):
    ana, ben, cid = trio
    queue = routed_queue(trio, strategy="fewest_open")
    account = make_sandbox_account(queue)
    ring_all = make_sandbox_account(make_queue([a["_id"] for a in trio]))
    for agent, count in ((ana, 2), (ben, 1), (cid, 1)):
        for _ in range(count):
            routing.accept(agent, waiting(ring_all)["_id"])
    routing._note_assigned(cid["_id"])  # Ben and Cid hold one each: Ben was assigned longer ago
    clock.advance(timedelta(seconds=1))
    routing._note_assigned(ben["_id"])
    interaction = waiting(account)
    dispatcher.route()
    assert offered_to(interaction) == str(cid["_id"]) or offered_to(interaction) == str(ben["_id"])
    assert offered_to(interaction) != str(ana["_id"])
    second = waiting(account)
    dispatcher.route()
    assert {offered_to(interaction), offered_to(second)} == set(ids(ben, cid)), "an offer held counts as load"


def test_an_agent_at_their_limit_gets_no_offer_until_a_conversation_closes(trio):
    ana, ben, _ = trio
    queue = routed_queue([ana, ben], max_open_per_agent=1)
    account = make_sandbox_account(queue)
    first, second, third = waiting(account), waiting(account), waiting(account)
    dispatcher.route()
    assert [offered_to(first), offered_to(second), offered_to(third)] == [*ids(ana, ben), None]
    routing.accept(ana, first["_id"])
    clock.advance(timedelta(seconds=31))
    dispatcher.route()  # Ben's offer ran out: Ana holds one open, Ben is the only one with a free place
    assert offered_to(second) == str(ben["_id"]) and offered_to(third) is None
    with pytest.raises(Conflict, match="limit"):
        routing.accept(ana, third["_id"])
    lifecycle.close(ana, first["_id"])
    dispatcher.route()
    assert offered_to(third) == str(ana["_id"])


def test_an_agents_own_limit_wins_over_the_queues(trio):
    ana, ben, _ = trio
    get_db().users.update_one({"_id": ana["_id"]}, {"$set": {"max_open": 2}})
    account = make_sandbox_account(routed_queue([ana], max_open_per_agent=1))
    routing.accept(get_db().users.find_one({"_id": ana["_id"]}), waiting_offered(account, ana)["_id"])
    assert offered_to(waiting_offered(account, ana)) == str(ana["_id"])


def waiting_offered(account, agent):
    interaction = waiting(account)
    dispatcher.route()
    return interaction


def test_the_highest_priority_queue_is_served_first_when_queues_wait_for_the_same_agent(trio):
    ana = trio[0]
    low = make_sandbox_account(routed_queue([ana], priority=0, max_open_per_agent=1))
    high = make_sandbox_account(routed_queue([ana], priority=7, max_open_per_agent=1))
    older_low = waiting(low)
    clock.advance(timedelta(minutes=5))
    newer_high = waiting(high)
    dispatcher.route()
    assert offered_to(newer_high) == str(ana["_id"]) and offered_to(older_low) is None


def test_an_agent_going_offline_mid_offer_passes_it_on_at_once(trio):
    ana, ben, _ = trio
    account = make_sandbox_account(routed_queue(trio))
    interaction = waiting(account)
    dispatcher.route()
    assert offered_to(interaction) == str(ana["_id"])
    presence.set_state(ana["_id"], presence.PAUSED, "Lunch")
    dispatcher.route()
    assert offered_to(interaction) == str(ben["_id"]), "no waiting for the timeout"


def test_nobody_available_leaves_it_waiting_with_no_offer_until_someone_comes(trio):
    ana = trio[0]
    presence.set_state(ana["_id"], presence.OFFLINE)
    account = make_sandbox_account(routed_queue([ana]))
    interaction = waiting(account)
    dispatcher.route()
    assert offered_to(interaction) is None
    presence.set_state(ana["_id"], presence.ONLINE)
    dispatcher.route()
    assert offered_to(interaction) == str(ana["_id"])


def test_two_rounds_at_once_give_no_agent_more_than_their_limit(trio):
    ana, ben, _ = trio
    account = make_sandbox_account(routed_queue([ana, ben], max_open_per_agent=1))
    interactions = [waiting(account) for _ in range(6)]
    threads = [threading.Thread(target=dispatcher.route) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    holders = [offered_to(i) for i in interactions]
    assert sorted(h for h in holders if h) == sorted(ids(ana, ben)), holders


def test_an_accept_racing_with_a_round_wins_or_loses_cleanly(trio):
    ana, ben, _ = trio
    account = make_sandbox_account(routed_queue([ana, ben]))
    interaction = waiting(account)
    dispatcher.route()
    clock.advance(timedelta(seconds=31))  # ran out: the next round moves it to Ben
    outcome = {}

    def accept():
        try:
            outcome["accepted"] = routing.accept(ana, interaction["_id"])
        except Conflict as exc:
            outcome["refused"] = exc.message

    thread = threading.Thread(target=accept)
    thread.start()
    dispatcher.route()
    thread.join()
    doc = get_db().interactions.find_one({"_id": interaction["_id"]})
    if "accepted" in outcome:
        assert doc["status"] == "open" and doc["agent_id"] == ana["_id"] and doc["offer"] is None
    else:
        assert doc["status"] == "queued" and offered_to(doc) == str(ben["_id"]) and "Ben" in outcome["refused"]


def test_ring_all_without_limits_offers_to_everyone_available_as_before(trio):
    ana, ben, cid = trio
    account = make_sandbox_account(make_queue([a["_id"] for a in trio]))
    interaction = waiting(account)
    assert sorted(routing.offer_targets(interaction)) == sorted(ids(ana, ben, cid))
    assert dispatcher.route() == 0 and offered_to(interaction) is None, "ring-all has no routing rounds"


def test_ring_all_leaves_out_agents_at_their_limit_and_those_not_online(trio):
    ana, ben, cid = trio
    queue = make_queue([a["_id"] for a in trio])
    queue_admin.update_queue(str(queue["_id"]), {"routing": {"max_open_per_agent": 1}})
    account = make_sandbox_account(queue)
    routing.accept(ana, waiting(account)["_id"])
    presence.set_state(cid["_id"], presence.PAUSED, "Break")
    assert routing.offer_targets(waiting(account)) == ids(ben)
    assert routing.waiting_for(ana) == [] and routing.waiting_for(cid) == []
    assert len(routing.waiting_for(ben)) == 1


def test_a_tie_with_no_history_goes_to_the_first_member_in_the_queues_order(trio):
    account = make_sandbox_account(routed_queue(trio, strategy="least_recent"))
    interaction = waiting(account)
    dispatcher.route()
    assert offered_to(interaction) == str(trio[0]["_id"])


def test_a_tie_on_load_goes_to_the_agent_assigned_longest_ago(trio):
    ana, ben, cid = trio
    routing._note_assigned(ana["_id"])
    clock.advance(timedelta(seconds=1))
    routing._note_assigned(cid["_id"])
    account = make_sandbox_account(routed_queue(trio, strategy="fewest_open"))
    interaction = waiting(account)
    dispatcher.route()
    assert offered_to(interaction) == str(ben["_id"]), "all hold none: Ben was never assigned"


def test_an_offer_held_by_an_agent_who_disconnected_moves_on_when_their_grace_period_ends(trio):
    from app.services.routing import agent_status

    ana, ben, _ = trio
    agent_status.on_connect(ana)  # her state is recorded: the grace period applies to it
    account = make_sandbox_account(routed_queue([ana, ben], offer_timeout_seconds=600))
    interaction = waiting(account)
    dispatcher.route()
    assert offered_to(interaction) == str(ana["_id"])
    push.socket_closed(str(ana["_id"]), f"sid-{ana['_id']}")
    agent_status.on_disconnect(str(ana["_id"]))
    clock.advance(timedelta(seconds=10))
    assert dispatcher.tick(30)["offline"] == 0
    assert offered_to(interaction) == str(ben["_id"]), "no socket: no longer available, the offer moves at once"
    clock.advance(timedelta(seconds=25))
    assert dispatcher.tick(30)["offline"] == 1 and presence.state_of(ana["_id"])["state"] == presence.OFFLINE


def test_a_transfer_away_frees_the_agents_place(trio):
    ana, ben, _ = trio
    limited = make_queue([ana["_id"]])
    queue_admin.update_queue(str(limited["_id"]), {"routing": {"strategy": "round_robin", "max_open_per_agent": 1}})
    account = make_sandbox_account(limited, allow_transfer=True)
    held = waiting(account)
    dispatcher.route()
    routing.accept(ana, held["_id"])
    second = waiting(account)
    dispatcher.route()
    assert offered_to(second) is None
    lifecycle.transfer(ana, held["_id"], to_agent_id=str(ben["_id"]))
    dispatcher.route()
    assert offered_to(second) == str(ana["_id"])


def test_a_busy_day_offers_everything_in_order_and_never_exceeds_a_limit(trio):
    """Thirty customers, three agents holding two each: agents accept what they are offered, close
    their oldest, now and then let an offer ring out; every step checks the limits."""
    queue = routed_queue(trio, max_open_per_agent=2, offer_timeout_seconds=30)
    account = make_sandbox_account(queue)
    customers = []
    for _ in range(30):
        customers.append(waiting(account))
        clock.advance(timedelta(seconds=1))
    assigned_order = []
    for step in range(200):
        dispatcher.route()
        for agent in trio:
            held = list(get_db().interactions.find({"status": "queued", "offer.agent_id": agent["_id"]}))
            load = get_db().interactions.count_documents({"agent_id": agent["_id"], "status": "open"}) + len(held)
            assert load <= 2, f"{agent['name']} holds {load} at step {step}"
            for doc in held:
                if (step + len(assigned_order)) % 7 == 0:
                    continue  # lets this one ring out
                routing.accept(agent, doc["_id"])
                assigned_order.append(doc["_id"])
            mine = list(get_db().interactions.find({"agent_id": agent["_id"], "status": "open"}).sort("accepted_at", 1))
            if mine and step % 2:
                lifecycle.close(agent, mine[0]["_id"])
        clock.advance(timedelta(seconds=20))
        if get_db().interactions.count_documents({"is_open": True}) == 0:
            break
    assert get_db().interactions.count_documents({"is_open": True}) == 0
    assert sorted(assigned_order) == sorted(c["_id"] for c in customers), "each one assigned exactly once"
    positions = {c["_id"]: n for n, c in enumerate(customers)}
    lateness = [positions[i] - n for n, i in enumerate(assigned_order)]
    assert max(abs(x) for x in lateness) <= 6, "longest waiting first, give or take the offers that rang out"
