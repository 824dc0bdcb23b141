"""Every query of the assistant (answer, hand-over, take-over, recovery, the Bot list) is served by a declared index."""

from datetime import timedelta

from app.db import get_db
from app.services import clock
from app.services.assistant import conversation, recovery, takeover
from app.services.conversations import inbound
from app.services.reading import interaction_queries
from tests.assistant.support import bot_account
from tests.engine.test_index_coverage import ENGINE_COLLECTIONS
from tests.fakes.chat_completions import completion
from tests.support.engine import customer_says
from tests.support.query_shapes import embedded_only, recording, uncovered


@embedded_only
def test_the_assistant_queries_only_through_declared_indexes(app, fake_chat):
    account, alice = bot_account(fake_chat)
    fake_chat.then(completion("Hello!"), completion(tool_reason="refund"))
    with recording(ENGINE_COLLECTIONS) as shapes:
        for phone in ("+447700900123", "+447700900124"):
            inbound.ingest(account, customer_says(account, phone, "hello"))
        first, second = get_db().interactions.find({"account_id": account["_id"]}).sort("created_at", 1)
        for doc in (first, second):
            message = get_db().messages.find_one({"interaction_id": doc["_id"], "direction": "in"})
            conversation.answer(doc["_id"], message["id"])
        recovery.requeue_answers(clock.now() + timedelta(seconds=1))
        interaction_queries.list_interactions(alice, {"status": "bot"})
        takeover.take_over(alice, str(first["_id"]))
        takeover.take_over(alice, str(second["_id"]))
    assert [get_db().interactions.find_one({"_id": d["_id"]})["status"] for d in (first, second)] == ["open", "open"]
    assert len(shapes) > 10
    assert uncovered(shapes) == []
