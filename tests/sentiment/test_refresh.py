"""The interactions' sentiment from a round's scores: one job per round, folded in once, in any order."""

import itertools

from bson import ObjectId

from app import queues, redis_batch
from app.db import get_db
from app.services.analysis import interaction_sentiment, sentiment
from app.services.conversations import inbound
from tests.support.engine import customer_says, live_events, make_queue, make_sandbox_account, stored_messages
from tests.support.jobs import run_inbound

CALM, ANGRY, HAPPY = "Where is my parcel", "The parcel arrived broken, I am furious 😡", "Thank you so much, great service! 😊"
MESSAGE_IDS = itertools.count(1)
CONVERSATIONS = {
    "+15550102001": [HAPPY, CALM, ANGRY, CALM, CALM],
    "+15550102002": [ANGRY, CALM, CALM, CALM, CALM, CALM, CALM, CALM, CALM, CALM, CALM, CALM, CALM, CALM, CALM, HAPPY],
    "+15550102003": [CALM, HAPPY, ANGRY],
}


def ingest_in_one_round(account, conversations):
    """Ingest every message as one drain round does (one Redis batch, flushed once)."""
    batch = redis_batch.Batch()
    with batch.collecting():
        for phone, texts in conversations.items():
            for text in texts:
                inbound.ingest(account, customer_says(account, phone, text, message_id=f"wamid.{next(MESSAGE_IDS)}"))
    batch.flush()


def interaction_of(account, phone):
    return get_db().interactions.find_one({"account_id": account["_id"], "contact.phone": phone})


def expected(interaction_id):
    """The label and figures sentiment.summarize gives over every stored score."""
    scores = [m["sentiment"] for m in stored_messages(interaction_id)]
    summary = sentiment.summarize(scores)
    return sentiment.label_for(summary["positive"], summary["negative"]), summary


def as_scores(job):
    return [interaction_sentiment.Score(ObjectId(iid), *rest) for iid, *rest in job.kwargs["scores"]]


def test_a_round_of_messages_from_several_customers_is_one_job_and_each_interaction_gets_its_label(app):
    with app.app_context():
        account = make_sandbox_account(make_queue())
        ingest_in_one_round(account, CONVERSATIONS)
        [job] = queues.get_queue("sentiment").jobs
        assert len(job.kwargs["scores"]) == sum(len(texts) for texts in CONVERSATIONS.values())

        run_inbound(app, ("sentiment",))
        labels = set()
        for phone in CONVERSATIONS:
            doc = interaction_of(account, phone)
            label, summary = expected(doc["_id"])
            labels.add(label)
            assert doc["sentiment"] == label, phone
            assert doc["sentiment_scores"] == summary, phone
            assert [e["sentiment"] for e in live_events(doc["_id"], "sentiment")] == [label], "one event: the label's change"
        assert labels == {"Positive", "Negative", "Mixed"}, "the conversations were chosen to end differently"


def test_a_job_run_again_changes_nothing(app):
    with app.app_context():
        account = make_sandbox_account(make_queue())
        ingest_in_one_round(account, CONVERSATIONS)
        [job] = queues.get_queue("sentiment").jobs
        scores = as_scores(job)
        interaction_sentiment.refresh(scores)
        before = list(get_db().interactions.find({}, sort=[("_id", 1)]))

        assert interaction_sentiment.refresh(scores) == {}
        assert list(get_db().interactions.find({}, sort=[("_id", 1)])) == before


def test_jobs_run_out_of_order_give_the_label_of_every_message(app):
    """Two rounds' jobs taken by two workers, the later first: the earlier scores cannot be folded
    onto a state that is past them, so the interaction is recomputed from what is stored."""
    with app.app_context():
        account = make_sandbox_account(make_queue())
        phone = "+15550102004"
        ingest_in_one_round(account, {phone: [ANGRY, ANGRY]})
        ingest_in_one_round(account, {phone: [CALM, CALM, HAPPY]})
        first, second = queues.get_queue("sentiment").jobs

        interaction_sentiment.refresh(as_scores(second))
        interaction_sentiment.refresh(as_scores(first))
        doc = interaction_of(account, phone)
        label, summary = expected(doc["_id"])
        assert (doc["sentiment"], doc["sentiment_scores"]) == (label, summary) and label == "Mixed"
        assert doc["sentiment_state"]["applied"] == 5


def test_an_interaction_scored_before_the_running_state_is_recomputed_once_then_folded(app):
    """An interaction whose earlier messages were scored without a running state (stored by an
    earlier version) gets it from the stored scores, then folds the next ones."""
    with app.app_context():
        account = make_sandbox_account(make_queue())
        phone = "+15550102005"
        ingest_in_one_round(account, {phone: [ANGRY, CALM]})
        doc = interaction_of(account, phone)
        get_db().interactions.update_one({"_id": doc["_id"]}, {"$unset": {"sentiment_state": ""}})
        queues.get_queue("sentiment").empty()  # that version's own jobs did their work
        ingest_in_one_round(account, {phone: [HAPPY]})
        run_inbound(app, ("sentiment",))
        doc = interaction_of(account, phone)
        label, summary = expected(doc["_id"])
        assert (doc["sentiment"], doc["sentiment_scores"]) == (label, summary) and label == "Mixed"
        assert doc["sentiment_state"]["applied"] == 3


def test_a_repeated_delivery_takes_no_ordinal(app):
    """The provider delivering a message twice: the second is a duplicate and the interaction's
    count of scored messages (the next message's ordinal) stays as it was."""
    with app.app_context():
        account = make_sandbox_account(make_queue())
        phone = "+15550102006"
        events = customer_says(account, phone, ANGRY, message_id="wamid.twice")
        assert inbound.ingest(account, events) == {"stored": 1}
        assert inbound.ingest(account, events) == {"duplicate": 1}
        ingest_in_one_round(account, {phone: [HAPPY]})
        run_inbound(app, ("sentiment",))
        doc = interaction_of(account, phone)
        assert doc["sentiment_scores"]["messages"] == 2
        assert doc["sentiment_state"]["applied"] == 2 and doc["sentiment"] == expected(doc["_id"])[0] == "Mixed"


def test_rounds_that_keep_the_label_fold_the_scores_in_without_reading_the_messages(app, monkeypatch):
    """The common case: later rounds do not change the label. Each job folds its scores onto the
    state (no read of the stored messages) and publishes no event."""
    with app.app_context():
        account = make_sandbox_account(make_queue())
        phone = "+15550102007"
        ingest_in_one_round(account, {phone: [CALM, CALM]})
        run_inbound(app, ("sentiment",))

        def no_recompute(interaction_id, new):
            raise AssertionError(f"recomputed from the stored messages for ordinals {[s.ordinal for s in new]}")

        monkeypatch.setattr(interaction_sentiment, "_recompute", no_recompute)
        for _ in range(3):
            ingest_in_one_round(account, {phone: [CALM, CALM]})
            assert run_inbound(app, ("sentiment",)) == {}
            assert not queues.get_queue("sentiment").jobs and not queues.get_queue("sentiment").failed_job_registry.count
        doc = interaction_of(account, phone)
        assert doc["sentiment_state"]["applied"] == doc["sentiment_scores"]["messages"] == 8
        assert (doc["sentiment"], doc["sentiment_scores"]) == expected(doc["_id"])
        assert [e["sentiment"] for e in live_events(doc["_id"], "sentiment")] == ["Neutral"], "one event: the first label"
