"""What the list's "+" dialog needs before it calls the engine's start_conversation.start (through
POST /api/v1/interactions): the accounts the user may start from, whether a number is already
the account's contact as the engine finds it (otherwise the engine creates it on send), and
whether the customer has an open conversation on the account (then the send would be refused)."""

from app.db import get_db
from app.services.access.access_rules import as_oid, queue_ids_of
from app.services.channel.provider_access import capabilities
from app.services.contacts import number_lookup
from app.services.contacts.phones import to_e164
from app.services.errors import Forbidden, NotFound, ValidationFailed
from app.services.reading.interaction_list import visible_accounts

CONTACT_FIELDS = ("first_name", "last_name", "phone", "mobile", "email", "company")


def startable_accounts(actor):
    """The accounts the user works, each saying whether its provider can send first (Meta, Kaleyra):
    the dialog lists the others too, with the product's warning, rather than hiding them."""
    return [
        {"id": str(a["_id"]), "name": a["name"], "provider": a["provider"], "can_start": "start_conversation" in capabilities(a)}
        for a in visible_accounts(actor)
    ]


def _contact_list_id(account):
    """The account's list, or the shared default one if it exists (looking up never creates it)."""
    if account.get("contact_list_id"):
        return account["contact_list_id"]
    default = get_db().contact_lists.find_one({"name": number_lookup.DEFAULT_LIST_NAME}, {"_id": 1})
    return default["_id"] if default else None


def lookup(actor, account_id, phone):
    """{phone (E.164), contact {id, name, fields} or None, open_interaction {id, agent_name,
    queue_name, mine} or None}; ValidationFailed on a bad number."""
    if not account_id:
        raise ValidationFailed("Choose an account.", {"account_id": "Required."})
    account = get_db().accounts.find_one({"_id": as_oid(account_id, "account")}, {"queue_id": 1, "contact_list_id": 1})
    if account is None:
        raise NotFound("No such WhatsApp account.")
    if actor["role"] != "admin" and account.get("queue_id") not in queue_ids_of(actor["_id"]):
        raise Forbidden("You are not in the queue of this account.")
    e164 = to_e164(phone, field="phone")
    current = number_lookup.current_interaction(account["_id"], e164)
    list_id = _contact_list_id(account)
    contact = number_lookup.contact_of(current) or (number_lookup.find_by_number(list_id, e164) if list_id else None)
    found = opened = None
    if contact:
        # The fields a template parameter may be filled from ({contact.first_name} …), as canned answers use them.
        fields = {key: contact.get(key) or "" for key in CONTACT_FIELDS}
        found = {"id": str(contact["_id"]), "name": number_lookup.display_name(contact), "fields": fields}
    if current and current.get("is_open"):
        opened = {
            "id": str(current["_id"]),
            "agent_name": current.get("agent_name"),
            "queue_name": current.get("queue_name"),
            "mine": current.get("agent_id") == actor["_id"],
        }
    return {"phone": e164, "contact": found, "open_interaction": opened}
