"""An interaction's predominant sentiment, kept up to date from its customer messages' scores.

A customer message is scored when it is stored (the score is part of its document: no later write)
and the update that appends it gives it its ordinal among the interaction's scored messages
(`sentiment_scores.messages`). The scores a drain round stores go to one job
(jobs.REFRESH_SENTIMENT), which folds each interaction's new scores into its running state,
`sentiment_state` (the exact discounted maxima and the ordinal last folded in): the predominant
score after n+1 messages is the larger of DECAY times the score after n and the new message's
(sentiment.summarize), so a round costs one read, and a write per interaction, whatever the
conversations' length.

A score already folded in (a retried job) is skipped. Scores that do not follow the state's ordinal
(jobs run out of order by several workers, or a state written before this one) are recomputed from
the stored scores instead: the latest RELEVANT_MESSAGES up to the newest position the job knows.
A state another job moved meanwhile is read again. The label's change is a live event; a change of
the figures alone is not (the desktop shows the label).
"""

from dataclasses import dataclass

from pymongo import ReturnDocument

from app.db import get_db
from app.services.analysis import sentiment
from app.services.conversations import live, message_store

ATTEMPTS = 3


@dataclass(frozen=True)
class Score:
    """One scored customer message, as a job carries it."""

    interaction_id: object
    ordinal: int  # its rank among the interaction's scored messages, from 1
    position: int
    positive: float
    negative: float

    def to_job(self):
        return [str(self.interaction_id), self.ordinal, self.position, self.positive, self.negative]


def score_of(message):
    """The message's score (stored with it), or None for a message with no text to score."""
    text = message.get("text") or message.get("caption")
    return sentiment.score_text(text) if text else None


def refresh(scores):
    """Fold `scores` (Score, each interaction's in ordinal order) into their interactions; returns
    the labels set, by interaction id."""
    pending = {}
    for score in scores:
        pending.setdefault(score.interaction_id, []).append(score)
    labels = {}
    for _ in range(ATTEMPTS):
        if not pending:
            break
        pending = _refresh_once(pending, labels)
    if pending:
        raise RuntimeError(f"sentiment of {len(pending)} interactions kept moving under this job: {list(pending)}")
    return labels


def _refresh_once(pending, labels):
    """One pass: read the interactions, write each new state; returns what another job moved meanwhile."""
    docs = get_db().interactions.find({"_id": {"$in": list(pending)}}, {"sentiment": 1, "sentiment_state": 1})
    moved = {}
    for doc in docs:
        iid = doc["_id"]
        state = doc.get("sentiment_state")
        applied = state["applied"] if state else 0
        new = [s for s in pending[iid] if s.ordinal > applied]
        if not new:
            continue
        folded = _fold(state, new) if new[0].ordinal == applied + 1 and _consecutive(new) else _recompute(iid, new)
        label = sentiment.label_for(round(folded["positive"], 3), round(folded["negative"], 3))
        match = {"_id": iid, "sentiment_state.applied": applied} if state else {"_id": iid, "sentiment_state": None}
        fields = {
            "sentiment_state": folded,
            "sentiment_scores.positive": round(folded["positive"], 3),
            "sentiment_scores.negative": round(folded["negative"], 3),
        }
        if label == doc.get("sentiment"):  # the figures alone: no live event
            if get_db().interactions.update_one(match, {"$set": fields}).matched_count == 0:
                moved[iid] = pending[iid]
            continue
        bumped = get_db().interactions.find_one_and_update(
            match, {"$set": {**fields, "sentiment": label}, "$inc": {"seq": 1}}, return_document=ReturnDocument.AFTER
        )
        if bumped is None:
            moved[iid] = pending[iid]
            continue
        labels[iid] = label
        live.publish(bumped, "sentiment", {"sentiment": label})
    return moved


def _consecutive(scores):
    return all(later.ordinal == earlier.ordinal + 1 for earlier, later in zip(scores, scores[1:], strict=False))


def _fold(state, new):
    positive = state["positive"] if state else 0.0
    negative = state["negative"] if state else 0.0
    for score in new:
        positive = max(sentiment.DECAY * positive, score.positive)
        negative = max(sentiment.DECAY * negative, score.negative)
    return {"applied": new[-1].ordinal, "positive": positive, "negative": negative}


def _recompute(interaction_id, new):
    """The state from the stored scores up to the newest of `new` (earlier ones are stored: each
    customer's messages are stored in order, before the job that carries them is queued)."""
    newest = new[-1]
    stored = message_store.latest_scored(interaction_id, sentiment.RELEVANT_MESSAGES, up_to_position=newest.position)
    count = len(stored)
    positive = max((sentiment.DECAY ** (count - 1 - i) * s["positive"] for i, s in enumerate(stored)), default=0.0)
    negative = max((sentiment.DECAY ** (count - 1 - i) * s["negative"] for i, s in enumerate(stored)), default=0.0)
    return {"applied": newest.ordinal, "positive": positive, "negative": negative}
