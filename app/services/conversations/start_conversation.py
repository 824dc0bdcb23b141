"""A conversation the agent starts (spec 3.65.0): account, number, contact found or created,
then a template available for agents or a free-text message; the interaction opens assigned
to that agent."""

from pymongo.errors import DuplicateKeyError

from app.db import get_db
from app.domain import search
from app.domain.interaction_shapes import NewConversation
from app.services import clock
from app.services.access.access_rules import as_oid, queue_ids_of
from app.services.channel.provider_access import capabilities
from app.services.contacts import number_lookup
from app.services.contacts.phones import to_e164
from app.services.conversations import inbound, outbound
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.setup.records import checked

SAYS = {"phone": "Enter a number in international format, e.g. +44 20 7946 0958."}


def start(actor, data):
    """Open an outbound interaction and queue its first message. Returns (interaction, message, warnings)."""
    data = checked(NewConversation, data, "Check the new conversation.", say=SAYS)
    account = get_db().accounts.find_one({"_id": as_oid(data.account_id, "account")})
    if account is None:
        raise NotFound("No such WhatsApp account.")
    if actor["role"] != "admin" and account.get("queue_id") not in queue_ids_of(actor["_id"]):
        raise Forbidden("You are not in the queue of this account.")
    if "start_conversation" not in capabilities(account):
        raise ValidationFailed(
            f"{account['name']} ({account['provider']}) cannot start conversations: "
            "only Meta and Kaleyra accounts can send a first message.",
            {"account_id": "This account does not allow new outbound conversations."},
        )
    phone = to_e164(data.phone, field="phone")
    kind = "template" if data.template_id else "text"
    contact = number_lookup.for_customer(account, phone, (data.name or "").strip() or None)
    interaction = _open(account, contact, actor)
    payload = {"kind": kind, "client_id": data.client_id}
    if kind == "template":
        payload.update(template_id=data.template_id, params=data.params)
    else:
        payload["text"] = data.text
    try:
        message, warnings = outbound.compose(actor, interaction["_id"], payload)
    except Exception:
        get_db().interactions.delete_one({"_id": interaction["_id"], "messages_len": 0})  # nothing was sent
        raise
    return get_db().interactions.find_one({"_id": interaction["_id"]}, {"search_terms": 0}), message, warnings


def _open(account, contact, actor):
    now = clock.now()
    doc = inbound.new_interaction(account, contact, now, "outbound")
    # seq 0: nothing announced yet; the first message's event is number 1.
    doc.update(
        status="open",
        agent_id=actor["_id"],
        agent_name=actor["name"],
        first_agent_id=actor["_id"],
        accepted_at=now,
        accepted_by={"id": actor["_id"], "name": actor["name"]},
        seq=0,
    )
    doc["search_terms"] = search.terms(doc["contact"]["name"], doc["contact"]["phone"])  # found by name and number
    try:
        doc["_id"] = get_db().interactions.insert_one(doc).inserted_id
    except DuplicateKeyError:
        raise Conflict("This contact already has an open interaction on this account: continue there.") from None
    return doc
