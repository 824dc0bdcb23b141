"""A Redis outage between storing a customer's message and its follow-ups (live event, jobs): the
drain's retry completes them exactly once. Redis is really stopped."""

import pytest
import redis

from app import queues
from app.db import get_db
from app.services.conversations import inbound, routing
from config import TestingConfig as Settings
from tests.support.engine import customer_says, live_events
from tools.devstack import RedisServer

CUSTOMER = "+447700900123"


@pytest.fixture
def own_redis():
    """A Redis of this test's own, to stop and start again on the same port."""
    servers = [RedisServer().start()]

    def restart():
        servers.append(RedisServer(port=servers[0].port).start())

    yield servers[0], restart
    for server in servers:
        server.stop()


@pytest.fixture
def config(own_redis):
    config = Settings()
    config.REDIS_URL = own_redis[0].url
    return config


def stored_during_an_outage(account, own_redis):
    server, restart = own_redis
    events = customer_says(account, CUSTOMER, "Where is my parcel?", message_id="wamid.OUTAGE")
    server.stop()
    with pytest.raises(redis.exceptions.RedisError):
        inbound.ingest(account, events)
    [stored] = get_db().messages.find({})
    restart()
    return events, stored


def followups_done_once(stored):
    interaction = get_db().interactions.find_one({})
    assert interaction["message_count"] == interaction["unread"] == interaction["seq"] == 1, "counted once"
    events = live_events(interaction["_id"])
    assert [(e["seq"], e["event"]) for e in events] == [(1, "offer")]
    [job] = queues.get_queue("sentiment").jobs  # the interaction's sentiment, with the message's score
    score = stored["sentiment"]
    assert job.kwargs == {"scores": [[str(interaction["_id"]), 1, 0, score["positive"], score["negative"]]]}


def test_the_drains_retry_completes_the_follow_ups_once(team, own_redis):
    account = team["account"]
    events, stored = stored_during_an_outage(account, own_redis)
    assert inbound.ingest(account, events, retry=True) == {"duplicate": 1}
    followups_done_once(stored)


def test_an_agents_action_is_kept_when_redis_cannot_carry_its_live_event(team, own_redis):
    """The change is in the database: Redis down loses only its live event (desktops that miss
    its number reload), not the agent's action."""
    account = team["account"]
    server, restart = own_redis
    inbound.ingest(account, customer_says(account, CUSTOMER, "Anyone there?"))
    interaction = get_db().interactions.find_one({})
    server.stop()
    accepted = routing.accept(team["alice"], str(interaction["_id"]))
    restart()
    assert accepted["agent_id"] == team["alice"]["_id"]
    assert get_db().interactions.find_one({})["agent_id"] == team["alice"]["_id"]
