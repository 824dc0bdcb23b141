"""The supervision panels' figures: agents' presence and load against capacity, queues' waiting
customers, longest wait and service level, with a controlled clock; and who may read them."""

from datetime import UTC, datetime, timedelta

from app import queues
from app.db import get_db
from app.realtime import push
from app.services import clock
from app.services.conversations import lifecycle, outbound
from app.services.reporting import supervision
from app.services.routing import presence
from tests.interactions.support import says, taken
from tests.support.builders import make_user
from tests.support.query_shapes import embedded_only, recording, uncovered

NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def set_state(user, state, reason=None, since=None):
    """Presence as routing records it: the agent's Redis hash."""
    fields = {"state": state, "since": (since or clock.now()).isoformat().replace("+00:00", "Z")}
    if reason:
        fields["reason"] = reason
    queues.get_redis().hset(presence.state_key(user["_id"]), mapping=fields)


def queue_row(data, name):
    return next(row for row in data["queues"] if row["name"] == name)


def agent_row(data, name):
    return next(row for row in data["agents"] if row["name"] == name)


def test_service_level_counts_answered_left_and_late_waits_against_the_target(team):
    get_db().queues.update_one({"_id": team["queue"]["_id"]}, {"$set": {"routing.first_response_minutes": 2}})
    clock.freeze(NOON - timedelta(days=1))
    says(team["account"], "+447700900500", "yesterday's, not counted")
    clock.freeze(NOON)
    account, alice = team["account"], team["alice"]
    on_time, late = taken(account, alice, "+447700900501", "hi"), taken(account, alice, "+447700900502", "hello")
    left = says(account, "+447700900503", "anyone?")
    says(account, "+447700900504", "still here")
    clock.advance(timedelta(seconds=120))  # exactly the target: still within
    outbound.compose(alice, on_time["_id"], {"text": "Hello, how can I help?"})
    clock.advance(timedelta(minutes=3))
    outbound.compose(alice, late["_id"], {"text": "Sorry for the wait"})
    lifecycle.close(team["admin"], left["_id"])
    says(account, "+447700900505", "just arrived")  # within its target: not decided yet
    level = queue_row(supervision.overview(), "Sales")["service_level"]
    assert level == {
        "target_seconds": 120, "default_target": False, "within": 1, "answered": 2, "abandoned": 1, "waiting_beyond": 1,
        "pending": 1, "rate": 0.25,
    }
    clock.advance(timedelta(minutes=3))  # the newcomer's target passes unanswered
    level = queue_row(supervision.overview(), "Sales")["service_level"]
    assert (level["waiting_beyond"], level["pending"], level["rate"]) == (2, 0, 0.2)


def test_service_level_rule_on_its_own():
    start = NOON
    answered = {"created_at": start, "first_response_at": start + timedelta(seconds=50), "is_open": True}
    handed_over = {"created_at": start - timedelta(hours=1), "handoff": {"at": start}, "assistant": {"started_at": start},
                   "first_response_at": start + timedelta(seconds=30), "is_open": True}
    bot_only = {"created_at": start, "assistant": {"started_at": start}, "status": "bot", "is_open": True}
    outbound_started = {"created_at": start, "direction": "outbound", "is_open": False}
    docs = [answered, handed_over, bot_only, outbound_started]
    level = supervision.service_level(docs, (60, True), start + timedelta(minutes=5))
    assert (level["within"], level["answered"], level["abandoned"], level["rate"]) == (2, 2, 0, 1.0)
    assert supervision.service_level([], (60, True), start)["rate"] is None
    assert supervision.target_seconds({"name": "Sales"}) == (supervision.DEFAULT_TARGET_SECONDS, True) == (60, True)


def test_waiting_count_longest_wait_and_who_waits_longest_first(team):
    clock.freeze(NOON)
    account = team["account"]
    first = says(account, "+447700900511", "I was here first", name="Maria")
    clock.advance(timedelta(minutes=1))
    requeued = taken(account, team["bob"], "+447700900512", "taken, then back")
    clock.advance(timedelta(minutes=3))
    second = says(account, "+447700900513", "me next")
    # routing records when an interaction entered the queue this time: its wait counts from then
    get_db().interactions.update_one(
        {"_id": requeued["_id"]},
        {"$set": {"status": "queued", "agent_id": None, "queued_at": clock.now() - timedelta(minutes=1)}},
    )
    taken(account, team["alice"], "+447700900514", "open one")
    clock.advance(timedelta(minutes=2))
    sales = queue_row(supervision.overview(), "Sales")
    assert (sales["waiting"], sales["open"], sales["longest_wait"]) == (3, 1, 360.0)
    assert sales["oldest_since"] == NOON
    assert [w["id"] for w in sales["waiting_list"]] == [str(first["_id"]), str(requeued["_id"]), str(second["_id"])]
    assert sales["waiting_list"][0]["contact"] == {"name": "Maria", "phone": "+447700900511"}
    assert sales["waiting_list"][0]["preview"] == "I was here first"
    assert sales["waiting_list"][1]["since"] == NOON + timedelta(minutes=3)
    support = queue_row(supervision.overview(), "Support")
    assert (support["waiting"], support["longest_wait"], support["waiting_list"]) == (0, None, [])


def test_a_transfer_to_the_queue_counts_the_wait_from_the_transfer(team):
    clock.freeze(NOON)
    interaction = taken(team["account"], team["alice"], "+447700900521", "hi")
    get_db().accounts.update_one({"_id": team["account"]["_id"]}, {"$set": {"settings.allow_transfer": True}})
    clock.advance(timedelta(hours=1))
    lifecycle.transfer(team["alice"], interaction["_id"], to_queue_id=str(team["other_queue"]["_id"]))
    clock.advance(timedelta(seconds=30))
    support = queue_row(supervision.overview(), "Support")
    assert (support["waiting"], support["longest_wait"]) == (1, 30.0)


def test_agents_presence_time_in_state_and_load_against_capacity(team):
    clock.freeze(NOON)
    get_db().queues.update_one({"_id": team["queue"]["_id"]}, {"$set": {"routing.max_open_per_agent": 5}})
    get_db().users.update_one({"_id": team["bob"]["_id"]}, {"$set": {"max_open": 2}})
    make_user("agent", name="Zed", active=False)  # inactive agents are not listed
    set_state(team["bob"], "paused", "Lunch", since=NOON - timedelta(minutes=12))
    push.mark_online(str(team["alice"]["_id"]), "sid-alice")  # a live socket and no state recorded: online
    for n in range(3):
        taken(team["account"], team["alice"], f"+44770090053{n}", "hello")
    taken(team["account"], team["bob"], "+447700900539", "hello")
    data = supervision.overview()
    assert [a["name"] for a in data["agents"]] == ["Alice", "Bob", "Carol"]
    alice, bob, carol = (agent_row(data, name) for name in ("Alice", "Bob", "Carol"))
    assert (alice["state"], alice["open"], alice["limit"], alice["queues"]) == ("online", 3, 5, ["Sales"])
    assert (bob["state"], bob["reason"], bob["since"]) == ("paused", "Lunch", NOON - timedelta(minutes=12))
    assert (bob["open"], bob["limit"]) == (1, 2)
    assert (carol["state"], carol["open"], carol["limit"], carol["queues"]) == ("offline", 0, None, ["Support"])
    sales = queue_row(data, "Sales")
    assert sales["agents"] == {"online": 1, "paused": 1, "offline": 0}
    assert sales["members"] == [{"id": str(team["alice"]["_id"]), "limit": 5}, {"id": str(team["bob"]["_id"]), "limit": 2}]


def test_capacity_is_the_largest_limit_of_the_agents_queues():
    agent = {"_id": "a"}
    small, large, unlimited = ({"routing": {"max_open_per_agent": n}} for n in (2, 4, None))
    assert supervision.most_held(agent, [small, large]) == 4
    assert supervision.most_held(agent, [small, unlimited]) is None
    assert supervision.most_held({**agent, "max_open": 1}, [large]) == 1
    assert supervision.most_held({**agent, "max_open": 3}, []) == 3 and supervision.most_held(agent, []) is None


def test_the_panels_json_is_for_admins_only(app, team, admin_client, agent_client, client):
    says(team["account"], "+447700900541", "hello")
    answer = admin_client.get("/dashboard/supervision")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    sales = queue_row(answer.get_json(), "Sales")
    assert sales["waiting"] == 1 and sales["waiting_list"][0]["since"].endswith("Z")
    assert agent_client.get("/dashboard/supervision", headers={"Accept": "application/json"}).status_code == 403
    assert client.get("/dashboard/supervision", headers={"Accept": "application/json"}).status_code == 401
    page = admin_client.get("/dashboard/").get_data(as_text=True)
    assert 'id="supervision-data"' in page and 'data-testid="sv-queues"' in page


def test_names_reach_the_page_escaped(team, admin_client):
    make_user("agent", name="</script><script>alert(1)</script>")
    page = admin_client.get("/dashboard/").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "\\u003c/script\\u003e" in page


@embedded_only
def test_the_panels_read_through_declared_indexes(team):
    says(team["account"], "+447700900551", "hello")
    taken(team["account"], team["alice"], "+447700900552", "hi")
    with recording({"interactions", "users", "queues"}) as shapes:
        supervision.overview()
    assert len(shapes) >= 5 and uncovered(shapes) == []
