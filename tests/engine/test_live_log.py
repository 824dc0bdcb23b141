"""The live events' replay log in Redis: capped, expiring with the conversation's last event,
honest about what it no longer holds, readable by any process, and written without a database
round trip."""

import json
import subprocess
import sys

import pytest

from app import queues
from app.db import get_db
from app.services.conversations import inbound, lifecycle, live, routing
from tests.support import round_trips
from tests.support.engine import customer_says
from tests.support.processes import ROOT

KEPT = 5
WEEK = 7 * 24 * 3600
CUSTOMER = "+447700900123"


@pytest.fixture
def config(config):
    config.PARLEY_LIVE_EVENTS_KEPT = KEPT
    return config


def conversation(team, notes):
    """An accepted conversation (events 1 and 2) with `notes` internal notes after it."""
    account = team["account"]
    inbound.ingest(account, customer_says(account, CUSTOMER, "hello"))
    interaction_id = get_db().interactions.find_one({})["_id"]
    routing.accept(team["alice"], interaction_id)
    for n in range(notes):
        lifecycle.add_note(team["alice"], interaction_id, f"note {n}")
    return get_db().interactions.find_one({"_id": interaction_id}, {"messages": 0})


def log_keys(interaction_id):
    redis = queues.get_redis()
    return {key.decode(): redis.ttl(key) for key in redis.scan_iter(f"{live.log_key(interaction_id)}*")}


def test_the_log_keeps_the_latest_events_and_says_when_it_no_longer_reaches_back(team):
    doc = conversation(team, 6)
    assert doc["seq"] == 8
    assert queues.get_redis().zcard(live.log_key(doc["_id"])) == KEPT

    behind = live.events_since(doc["_id"], 0, doc["seq"])
    assert behind["complete"] is False, "events 1 to 3 are gone: the caller must reload"
    assert [e["seq"] for e in behind["events"]] == [4, 5, 6, 7, 8]
    assert live.events_since(doc["_id"], 2, doc["seq"])["complete"] is False
    assert live.events_since(doc["_id"], 3, doc["seq"]) == {"events": behind["events"], "complete": True}
    last = live.events_since(doc["_id"], 7, doc["seq"])
    assert last["complete"] and [(e["event"], e["message"]["text"]) for e in last["events"]] == [("message", "note 5")]
    assert live.events_since(doc["_id"], 8, doc["seq"]) == {"events": [], "complete": True}


def test_the_log_expires_a_week_after_the_last_event(team):
    doc = conversation(team, 0)
    ttls = log_keys(doc["_id"])
    assert len(ttls) == 2 and all(WEEK - 60 < ttl <= WEEK for ttl in ttls.values()), ttls
    redis = queues.get_redis()
    for key in ttls:
        redis.expire(key, 60)
    lifecycle.add_note(team["alice"], doc["_id"], "later")
    assert all(WEEK - 60 < ttl <= WEEK for ttl in log_keys(doc["_id"]).values()), "each event pushes the expiry back"


def test_a_lost_log_is_reported_rather_than_replayed_as_nothing_missed(team):
    doc = conversation(team, 2)
    queues.get_redis().delete(*log_keys(doc["_id"]))  # expired, or Redis lost its data

    assert live.events_since(doc["_id"], 2, doc["seq"]) == {"events": [], "complete": False}
    assert live.events_since(doc["_id"], doc["seq"], doc["seq"]) == {"events": [], "complete": True}, "caught up"
    lifecycle.add_note(team["alice"], doc["_id"], "after the loss")
    fresh = live.events_since(doc["_id"], doc["seq"], doc["seq"] + 1)
    assert fresh["complete"] and [e["message"]["text"] for e in fresh["events"]] == ["after the loss"]
    assert live.events_since(doc["_id"], 2, doc["seq"] + 1)["complete"] is False, "a new log starts at its first event"


def test_an_event_published_again_replaces_its_first_recording(team):
    doc = conversation(team, 0)
    live.publish(doc, "assigned", {"agent": {"id": "x", "name": "Again"}})
    [event] = live.events_since(doc["_id"], 1, doc["seq"])["events"]
    assert event["seq"] == doc["seq"] and event["agent"]["name"] == "Again"


def test_publishing_makes_no_database_round_trip(team):
    doc = conversation(team, 0)
    bumped = {**doc, "seq": doc["seq"] + 1}
    with round_trips.counting() as trips:
        live.publish(bumped, "sentiment", {"sentiment": "Positive"})
    assert trips.total == 0, trips
    assert live.events_since(doc["_id"], doc["seq"], bumped["seq"])["events"][0]["sentiment"] == "Positive"


def test_events_outlive_the_process_that_published_them(team, redis_url):
    """A web process started afresh (here: a new Python process) replays from Redis what another published."""
    doc = conversation(team, 1)
    script = (
        "import json, sys\n"
        "from bson import ObjectId\n"
        "from app import queues\n"
        "from app.services.conversations import live\n"
        "queues.configure(sys.argv[1])\n"
        "print(json.dumps(live.events_since(ObjectId(sys.argv[2]), 0, int(sys.argv[3]))))\n"
    )
    args = [sys.executable, "-c", script, redis_url, str(doc["_id"]), str(doc["seq"])]
    replayed = json.loads(subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True, timeout=60).stdout)
    assert replayed["complete"] and [e["event"] for e in replayed["events"]] == ["offer", "assigned", "message"]
    assert replayed == live.events_since(doc["_id"], 0, doc["seq"])


def test_the_dashboard_measures_ingestion_lag_on_the_latest_customer_messages(team):
    conversation(team, 1)
    [arrival] = live.recent_arrivals()
    assert set(arrival) == {"pushed_at", "received_at", "sent_at"} and arrival["received_at"] <= arrival["pushed_at"]
