"""Providers deliver at least once and in any order; strangers send anything. Neither may corrupt or crash."""

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.db import get_db
from app.providers import sandbox
from app.providers.registry import PROVIDERS
from app.services.conversations import outbound, routing
from tests.providers.expectations import INBOUND
from tests.support.builders import make_user
from tests.support.engine import stored_message, stored_messages

from .support import make_account, post_events, post_fixture, send_now, signed


def test_replaying_every_fixture_three_times_in_random_order_stores_each_message_once(client):
    accounts = {name: make_account(name) for name in PROVIDERS}
    deliveries = [rel for rel in INBOUND for _ in range(3)]
    random.Random(4).shuffle(deliveries)
    for rel in deliveries:
        assert post_fixture(client, accounts[rel.split("/")[0]], rel).status_code == 200, rel
    ids = {kind: {(rel.split("/")[0], e["provider_message_id"]) for rel, events in INBOUND.items() for e in events
                  if e["event_type"] == "message" and (e.get("kind") == "reaction") == (kind == "reaction")}
           for kind in ("reaction", "message")}
    # Some fixtures share a provider id with a reaction fixture: whichever the shuffle delivers first claims it.
    expected_ids = ids["message"] - ids["reaction"]
    for provider, provider_id in expected_ids:
        account = accounts[provider]
        found = [m for doc in get_db().interactions.find({"account_id": account["_id"]})
                 for m in stored_messages(doc["_id"]) if m.get("provider_message_id") == provider_id]
        assert len(found) == 1, f"{provider} {provider_id}: {len(found)} copies"
    pending = list(get_db().pending_statuses.find({}, {"account_id": 1, "provider_message_id": 1, "status": 1}))
    keys = [(p["account_id"], p["provider_message_id"], p["status"]) for p in pending]
    assert len(keys) == len(set(keys)), "a status delivered three times is kept once"


def _agent_message(account):
    """An agent's text in a conversation of a sandbox account, sent (it has a provider id)."""
    agent = make_user("agent")
    get_db().queues.update_one({"_id": account["queue_id"]}, {"$push": {"agent_ids": agent["_id"]}})
    return agent


def test_statuses_in_any_order_end_at_the_highest_reached(app, client):
    account = make_account("sandbox")
    agent = _agent_message(account)
    post_events(client, account, sandbox.build_inbound("+15550001111", text="hello"))
    interaction = get_db().interactions.find_one({"account_id": account["_id"]})
    routing.accept(agent, interaction["_id"])
    message, _ = outbound.compose(agent, interaction["_id"], {"kind": "text", "text": "Hi, how can I help?"})
    provider_id = send_now(interaction["_id"], message["id"])
    deliveries = [sandbox.build_status(provider_id, status) for status in ("sent", "delivered", "read") for _ in range(3)]
    random.Random(7).shuffle(deliveries)
    for event in deliveries:
        assert post_events(client, account, event).status_code == 200
    assert stored_message(interaction["_id"], message["id"])["status"] == "read"


# -- hypothesis: signed bodies of any shape never give a 500 -----------------------------------------
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False), st.text(max_size=30))
JSON = st.recursive(JSON_LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                           max_size=4), max_leaves=12)
META_MESSAGE = st.fixed_dictionaries(
    {"from": st.one_of(st.just("15550001111"), st.text(max_size=15)), "id": st.text(min_size=1, max_size=20),
     "timestamp": st.one_of(st.just("1700000000"), JSON_LEAF),
     "type": st.sampled_from(["text", "image", "audio", "location", "contacts", "reaction", "interactive", "button", "zzz"])},
    optional={"text": JSON, "image": JSON, "audio": JSON, "location": JSON, "contacts": JSON, "reaction": JSON,
              "interactive": JSON, "button": JSON, "context": JSON},
)
META_STATUS = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=20), "status": st.sampled_from(["sent", "delivered", "read", "failed", "odd"]),
     "timestamp": JSON_LEAF, "recipient_id": st.text(max_size=15)},
    optional={"errors": JSON},
)
META_BODY = st.fixed_dictionaries({"object": st.just("whatsapp_business_account"), "entry": st.lists(st.fixed_dictionaries(
    {"id": st.text(max_size=5), "changes": st.lists(st.fixed_dictionaries(
        {"field": st.sampled_from(["messages", "other"]), "value": st.fixed_dictionaries(
            {"metadata": st.one_of(st.just({"phone_number_id": "100000000000001"}), JSON)},
            optional={"messages": st.lists(META_MESSAGE, max_size=2), "statuses": st.lists(META_STATUS, max_size=2),
                      "contacts": JSON})}), max_size=2)}), max_size=2)})
BODIES = st.one_of(st.binary(max_size=300), *(s.map(lambda v: json.dumps(v).encode()) for s in (JSON, META_BODY)))
SANDBOX_EVENT = st.fixed_dictionaries(
    {"type": st.sampled_from(["message", "status", None]), "id": st.text(min_size=1, max_size=10),
     "from": st.one_of(st.just("+15550001111"), st.text(max_size=12)),
     "kind": st.sampled_from(["text", "image", "location", "reaction", "contacts", "template_reply", "nope"])},
    optional={"text": JSON, "media": JSON, "location": JSON, "reaction": JSON, "contacts": JSON, "reply": JSON,
              "message_id": JSON, "status": JSON, "timestamp": JSON},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=BODIES, content_type=st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain"]))
def test_signed_meta_bodies_never_give_a_500(client, body, content_type):
    account = get_db().accounts.find_one({"provider": "meta"}) or make_account("meta")
    headers, body = signed(account, body, content_type)
    response = client.post("/webhooks/whatsapp/" + account["webhook_key"], data=body, headers=headers)
    assert response.status_code in (200, 400, 415), response.get_data(as_text=True)[:300]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(events=st.lists(SANDBOX_EVENT, min_size=1, max_size=3))
def test_signed_sandbox_events_never_give_a_500(client, events):
    account = get_db().accounts.find_one({"provider": "sandbox"}) or make_account("sandbox")
    headers, body = signed(account, {"events": events})
    response = client.post("/webhooks/whatsapp/" + account["webhook_key"], data=body, headers=headers)
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.binary(max_size=400), method=st.sampled_from(["GET", "POST"]), key=st.sampled_from(["meta", "twilio", "unknown"]))
def test_unsigned_bodies_never_give_a_500(client, body, method, key):
    account = get_db().accounts.find_one({"provider": key}) or (make_account(key) if key != "unknown" else None)
    path = "/webhooks/whatsapp/" + (account["webhook_key"] if account else "nope")
    response = client.open(path, method=method, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code in (401, 403, 404, 405, 415), response.status_code
    assert get_db().interactions.count_documents({}) == 0
