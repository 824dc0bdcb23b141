"""Refreshing interactions' predominant sentiment from the scores their customer messages were stored with.

Queued once per drain round for every scored message it stored (app/services/conversations/inbound.py,
jobs.gather); a retried or late job gives the same result as an on-time one. The rules are the
service's (app/services/analysis/interaction_sentiment.py); this job only hands it the scores.
"""

from bson import ObjectId

from app.services.analysis import interaction_sentiment
from workers.context import job


@job
def refresh_interactions(scores: list):
    """`scores`: [interaction id, ordinal, position, positive, negative] per message, in order."""
    labels = interaction_sentiment.refresh(
        interaction_sentiment.Score(ObjectId(iid), ordinal, position, positive, negative)
        for iid, ordinal, position, positive, negative in scores
    )
    return {"messages": len(scores), "labels": {str(iid): label for iid, label in labels.items()}}
