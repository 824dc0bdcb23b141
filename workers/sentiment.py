"""Scoring a customer's message and refreshing its interaction's predominant sentiment.

Enqueued once per customer message with text (app/services/conversations/inbound.py). The message's score is
stored on the message itself, so the interaction's label is recomputed from stored scores and a
retried or late job gives the same result as an on-time one. The rules are the service's
(app/services/sentiment.py); this job only reads and stores.
"""

from bson import ObjectId
from pymongo import ReturnDocument

from app.db import get_db
from app.services.analysis import sentiment
from app.services.conversations import live, message_slots
from workers.context import job


@job
def score_message(interaction_id: str, message_id: str):
    oid = ObjectId(interaction_id)
    message = message_slots.read(oid, "id", message_id)
    if message is None:
        raise LookupError(f"message {message_id} not found in interaction {interaction_id}")
    score = sentiment.score_text(message.get("text") or message.get("caption") or "")
    slot = message_slots.locate({"_id": oid}, "id", message_id)
    if slot is None or message_slots.update(*slot, {"id": message_id}, {"sentiment": score}, bump=False) is None:
        raise LookupError(f"message {message_id} could not be updated")
    scores = _customer_scores(oid)
    label = sentiment.predominant(scores)
    doc = get_db().interactions.find_one_and_update(
        {"_id": oid},
        {"$set": {"sentiment": label, "sentiment_scores": sentiment.summarize(scores)}, "$inc": {"seq": 1}},
        projection={"messages": 0},
        return_document=ReturnDocument.AFTER,
    )
    live.publish(doc, "sentiment", {"sentiment": label})
    return label


def _customer_scores(interaction_id):
    """Stored scores of the interaction's customer messages, oldest first."""
    doc = get_db().interactions.find_one({"_id": interaction_id}, {"messages.direction": 1, "messages.sentiment": 1})
    messages = (doc or {}).get("messages", [])
    return [m["sentiment"] for m in messages if m.get("direction") == "in" and m.get("sentiment")]
