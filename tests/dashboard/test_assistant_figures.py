"""The dashboard's AI assistant figures, from interactions the assistant handled through the real path
(customer messages ingested, answers from the loopback fake Chat Completions server, a take-over):
bot-handled today, hand-over rate and triggers, answers before a hand-over, tokens per day."""

import csv
import io
from datetime import timedelta

from app.db import get_db
from app.services import clock
from app.services.assistant import conversation, takeover
from app.services.conversations import inbound, message_store
from app.services.reporting import dashboard
from tests.assistant.support import bot_account
from tests.engine.test_index_coverage import ENGINE_COLLECTIONS
from tests.fakes.chat_completions import completion
from tests.interactions.support import says
from tests.support.engine import customer_says, make_sandbox_account
from tests.support.query_shapes import recording, uncovered


def writes(account, phone, text):
    """The customer's message ingested, and the assistant's job for it run; the interaction."""
    inbound.ingest(account, customer_says(account, phone, text))
    doc = get_db().interactions.find_one({"account_id": account["_id"], "contact.phone": phone, "is_open": True})
    message = message_store.by_provider_id(account["_id"], doc["last_inbound_provider_id"], "in")
    conversation.answer(doc["_id"], message["id"])
    return get_db().interactions.find_one({"_id": doc["_id"]})


def test_bot_handled_handoffs_turns_and_tokens_per_day(app, fake_chat, admin_client):
    noon = clock.now().replace(hour=12, minute=0, second=0, microsecond=0)
    clock.freeze(noon - timedelta(days=1))
    account, alice = bot_account(fake_chat)
    fake_chat.then(completion("Yesterday's answer", tokens=120))
    writes(account, "+447700900501", "hello yesterday")

    clock.freeze(noon)
    fake_chat.then(completion("Hi!", tokens=100), completion(tool_reason="wants a refund", tokens=30),
                   completion("Sure.", tokens=50))
    asked = writes(account, "+447700900502", "hello")
    assert asked["status"] == "bot" and asked["assistant"]["turns"] == 1
    assert writes(account, "+447700900502", "can I talk to a human?")["handoff"]["trigger"] == "asked"
    assert writes(account, "+447700900503", "refund please")["handoff"]["trigger"] == "model"
    assert writes(account, "+447700900504", "what time is it?")["status"] == "bot"
    inbound.ingest(account, customer_says(account, "+447700900505", "hello"))
    taken = get_db().interactions.find_one({"contact.phone": "+447700900505"})
    takeover.take_over(alice, str(taken["_id"]))
    plain = make_sandbox_account(get_db().queues.find_one({"_id": account["queue_id"]}))
    assert says(plain, "+447700900506", "no assistant on this account")["status"] == "queued"

    with recording(ENGINE_COLLECTIONS) as shapes:
        bot = dashboard.summary()["assistant"]
    # Its reads of interactions, the assistant's included, use declared indexes (queues and users are
    # read whole, sorted by name: the configuration is small).
    assert ["interactions", [{"assistant.started_at": "range"}], ()] in shapes
    assert [shape for shape in uncovered(shapes) if shape[0] == "interactions"] == []
    assert (bot["handled_today"], bot["answering"], bot["handed_over"]) == (4, 1, 3)
    assert bot["handoff_rate"] == 0.75
    assert bot["handoff_reasons"] == {"asked": 1, "model": 1, "takeover": 1}
    assert bot["turns_before_handoff"] == 0.33  # one answer before "asked", none before the other two
    assert bot["tokens_today"] == 180
    days = {day["day"]: day["tokens"] for day in bot["tokens_per_day"]}
    assert len(days) == 7 and days[noon.date().isoformat()] == 180
    assert days[(noon - timedelta(days=1)).date().isoformat()] == 120 and sum(days.values()) == 300

    api = admin_client.get("/api/v1/dashboard").get_json()["assistant"]
    assert api["handoff_reasons"] == {"asked": 1, "model": 1, "takeover": 1} and api["tokens_per_day"][-1]["tokens"] == 180
    page = admin_client.get("/dashboard/live").get_data(as_text=True)
    assert 'data-testid="bot-handled">4<' in page and 'data-testid="bot-handoff-rate">(75%)<' in page
    assert "Customer asked for a person <strong>1</strong>" in page and "Taken over by an agent" in page
    assert f'data-testid="bot-tokens-{noon.date().isoformat()}">180<' in page
    rows = list(csv.reader(io.StringIO(admin_client.get("/dashboard/export.csv").get_data(as_text=True))))
    assert ["assistant", "today", "handoff_rate", "0.75"] in rows and ["assistant", "handoff", "takeover", "1"] in rows
    assert ["assistant", noon.date().isoformat(), "tokens", "180"] in rows
