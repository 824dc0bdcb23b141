"""Contacts as the engine meets them: found by number in an account's list, created on first contact."""

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from app.db import get_db
from app.services import clock, config_cache

DEFAULT_LIST_NAME = "WhatsApp contacts"


def account_list_id(account):
    """The list where the account's new contacts go; a shared default list when none is set."""
    if account.get("contact_list_id"):
        return account["contact_list_id"]
    return config_cache.cached(("default-contact-list",), _default_list_id)


def _default_list_id():
    lists = get_db().contact_lists
    found = lists.find_one({"name": DEFAULT_LIST_NAME}, {"_id": 1})
    if found:
        return found["_id"]
    try:
        return lists.insert_one(
            {
                "name": DEFAULT_LIST_NAME,
                "description": "Created for accounts without a list.",
                "created_at": clock.now(),
                "updated_at": clock.now(),
            }
        ).inserted_id
    except DuplicateKeyError:
        return lists.find_one({"name": DEFAULT_LIST_NAME}, {"_id": 1})["_id"]


def split_name(profile_name):
    parts = profile_name.strip().split(None, 1) if isinstance(profile_name, str) else []
    return (parts[0] if parts else ""), (parts[1] if len(parts) > 1 else "")


def find_by_number(list_id, e164):
    """By phone, else by mobile, as the spec asks (the two are kept equal when one is empty): one query."""
    found = list(get_db().contacts.find({"list_id": list_id, "$or": [{"phone": e164}, {"mobile": e164}]}))
    return next((c for c in found if c.get("phone") == e164), found[0] if found else None)


def _by_number_key(list_id, e164):
    return ("contact-by-number", list_id, e164)


def upsert_from_whatsapp(list_id, e164, profile_name=None):
    """The contact for this number, created with the WhatsApp profile name when new."""
    return find_or_create(list_id, e164, profile_name)[0]


def new_contact(profile_name, **fields):
    """A contact as a customer's first WhatsApp message creates it: named after their profile."""
    first, last = split_name(profile_name)
    now = clock.now()
    return {
        "_id": ObjectId(),
        "first_name": first,
        "last_name": last,
        "email": "",
        "company": "",
        "tags": [],
        "notes": "",
        "whatsapp_name": profile_name or "",
        "source": "whatsapp",
        "created_at": now,
        "updated_at": now,
        **fields,
    }


def find_or_create(list_id, e164, profile_name=None, **fields):
    """(contact, created): the list's contact with this number (as phone or mobile), created with the
    WhatsApp profile name (and `fields`) when there is none, in one round trip (none when cached).

    One contact however many webhooks race: the unique (list_id, phone) index decides.
    """
    existing = config_cache.peek(_by_number_key(list_id, e164))
    if existing:
        return existing, False
    insert = new_contact(profile_name, phone=e164, mobile=e164, **fields)
    new_id = insert["_id"]
    try:
        contact = get_db().contacts.find_one_and_update(
            {"list_id": list_id, "$or": [{"phone": e164}, {"mobile": e164}]},
            {"$setOnInsert": insert},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
    except DuplicateKeyError:
        contact = get_db().contacts.find_one({"list_id": list_id, "phone": e164})
    config_cache.remember(contact_key(contact["_id"]), contact)  # the customer's next message reads it by id
    config_cache.remember(_by_number_key(list_id, e164), contact)
    return contact, contact["_id"] == new_id


def for_customer(account, e164, profile_name=None):
    """The customer's contact on this account.

    The contact of the customer's open interaction on the account (or of one waiting for the answer
    to a recontact template) comes first, whichever list it was created in: an admin changing the
    account's list for new contacts must not split a conversation in progress. Otherwise the
    contact is found or created in the account's list.
    """
    return contact_of(current_interaction(account["_id"], e164)) or upsert_from_whatsapp(
        account_list_id(account), e164, profile_name
    )


def current_interaction(account_id, e164):
    """The customer's open interaction on the account, else one waiting for the answer to a recontact template."""
    return get_db().interactions.find_one(
        {"account_id": account_id, "contact.phone": e164, "$or": [{"is_open": True}, {"awaiting_recontact_reply": True}]},
        {"contact_id": 1, "is_open": 1, "agent_id": 1, "agent_name": 1, "queue_name": 1},
        sort=[("is_open", -1)],
    )


def contact_of(interaction):
    """The interaction's contact, from the configuration cache: a follow-up message costs no contact query."""
    if not interaction:
        return None
    contact_id = interaction["contact_id"]
    return config_cache.cached(contact_key(contact_id), lambda: get_db().contacts.find_one({"_id": contact_id}))


def contact_key(contact_id):
    return ("contact", contact_id)


def display_name(contact):
    name = " ".join(p for p in (contact.get("first_name"), contact.get("last_name")) if p).strip()
    return name or contact.get("whatsapp_name") or contact.get("phone") or contact.get("mobile") or ""
