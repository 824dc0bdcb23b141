"""The worker job end to end: real Redis, the embedded RQ worker, customer messages as ingested."""

from app.db import get_db
from app.services.conversations import inbound
from tests.support.engine import customer_says, live_events, make_queue, make_sandbox_account, stored_messages
from tests.support.sockets import wait_for


def say(account, phone, text):
    inbound.ingest(account, customer_says(account, phone, text))
    return get_db().interactions.find_one({"account_id": account["_id"]}, sort=[("_id", -1)])


def scored_messages(interaction_id):
    return [m for m in stored_messages(interaction_id) if m.get("sentiment")]


def test_a_customer_message_gets_a_score_and_the_interaction_a_sentiment(live_server):
    account = make_sandbox_account(make_queue())
    interaction = say(account, "+15550101001", "Excelente atención, muchas gracias! 😊")
    doc = wait_for(lambda: get_db().interactions.find_one({"_id": interaction["_id"], "sentiment": {"$ne": None}}))
    assert doc, "sentiment was never set"
    assert doc["sentiment"] == "Positive"
    assert doc["sentiment_scores"]["messages"] == 1
    [message] = scored_messages(interaction["_id"])
    assert message["sentiment"]["label"] == "Positive"
    events = wait_for(lambda: live_events(interaction["_id"], "sentiment"))  # published right after the update
    assert [e["sentiment"] for e in events] == ["Positive"]
    assert events[0]["seq"] == doc["seq"]


def test_an_interaction_with_mixed_messages_shows_mixed(live_server):
    account = make_sandbox_account(make_queue())
    phone = "+15550101002"
    interaction = say(account, phone, "Grazie mille, l'operatrice è stata gentilissima! 😊")
    assert wait_for(lambda: len(scored_messages(interaction["_id"])) == 1)
    say(account, phone, "Ma il pacco è arrivato rotto, sono furioso 😡")
    assert wait_for(lambda: len(scored_messages(interaction["_id"])) == 2)
    doc = wait_for(lambda: get_db().interactions.find_one({"_id": interaction["_id"], "sentiment": "Mixed"}))
    assert doc, get_db().interactions.find_one({"_id": interaction["_id"]}, {"sentiment": 1, "sentiment_scores": 1})
    assert [m["sentiment"]["label"] for m in scored_messages(interaction["_id"])] == ["Positive", "Negative"]
