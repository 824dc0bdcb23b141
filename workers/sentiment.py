"""Scoring a customer's message and refreshing its interaction's predominant sentiment.

Enqueued once per customer message with text (app/services/conversations/inbound.py). The message's score is
stored on the message itself, so the interaction's label is recomputed from stored scores and a
retried or late job gives the same result as an on-time one. Only the latest scored customer
messages can still move the label (sentiment.RELEVANT_MESSAGES: older ones are discounted below
what the rounding keeps), so a job reads those, by index, however long the conversation.
The rules are the service's (app/services/analysis/sentiment.py); this job only reads and stores.
"""

from bson import ObjectId
from pymongo import ReturnDocument

from app.db import get_db
from app.services.analysis import sentiment
from app.services.conversations import live, message_store
from workers.context import job


@job
def score_message(interaction_id: str, message_id: str):
    oid = ObjectId(interaction_id)
    message = message_store.get(oid, message_id)
    if message is None:
        raise LookupError(f"message {message_id} not found in interaction {interaction_id}")
    score = sentiment.score_text(message.get("text") or message.get("caption") or "")
    key = {"interaction_id": oid, "id": message_id}
    first = message_store.update(key, {"sentiment": score}, {"sentiment": {"$exists": False}})
    if first is None and message_store.update(key, {"sentiment": score}) is None:
        raise LookupError(f"message {message_id} could not be updated")
    scores = sentiment.summarize(message_store.latest_scored(oid, sentiment.RELEVANT_MESSAGES))
    label = sentiment.label_for(scores["positive"], scores["negative"])
    doc = get_db().interactions.find_one_and_update(
        {"_id": oid},
        {
            "$set": {"sentiment": label, "sentiment_scores.positive": scores["positive"],
                     "sentiment_scores.negative": scores["negative"]},
            # how many customer messages are scored: one more, the first time this one is
            "$inc": {"seq": 1, "sentiment_scores.messages": 0 if first is None else 1},
        },
        return_document=ReturnDocument.AFTER,
    )
    live.publish(doc, "sentiment", {"sentiment": label})
    return label
