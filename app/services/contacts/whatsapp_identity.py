"""Customers WhatsApp names by a business-scoped user id (BSUID) as well as, or instead of, a number.

Meta gives each customer a BSUID per business portfolio ("US.13491208655302741918"), and withholds
the number of some customers who adopted a username. A contact keeps its BSUIDs as
``whatsapp_user_ids`` entries ``"<portfolio>/<bsuid>"``: the portfolio is the account's WhatsApp
Business Account (the closest Parley knows of Meta's portfolio), or the account itself when it has
none. A contact is found by BSUID first, then by number; when a message brings both and the contact
knew one, it learns the other (merged), so a customer first seen without a number stays one contact
with one conversation once the number comes.
"""

import logging

from pymongo.errors import DuplicateKeyError

from app.db import get_db
from app.services import clock, config_cache
from app.services.contacts import number_lookup

log = logging.getLogger(__name__)


def portfolio(account):
    """The scope of the account's BSUIDs."""
    waba = (account.get("credentials") or {}).get("waba_id")
    return f"waba:{waba}" if waba else f"account:{account['_id']}"


def user_key(account, user_id):
    return f"{portfolio(account)}/{user_id}"


def user_id_for(account, contact):
    """The contact's BSUID in the account's portfolio, or None."""
    prefix = portfolio(account) + "/"
    return next(
        (
            k[len(prefix) :]
            for k in contact.get("whatsapp_user_ids") or ()
            if k.startswith(prefix)
        ),
        None,
    )


def display_name(contact):
    """The name agents see: the contact's name, WhatsApp profile name or username, number; never empty."""
    return (
        number_lookup.display_name(contact)
        or contact.get("whatsapp_username")
        or "WhatsApp user"
    )


def find_or_create(account, event):
    """(contact, created) for the sender of `event` in the account's list: by BSUID, then by number,
    created when neither is known; what the event adds (number, BSUID, username) is recorded."""
    list_id = number_lookup.account_list_id(account)
    key = user_key(account, event.user_id) if event.user_id else None
    contact = (
        get_db().contacts.find_one({"list_id": list_id, "whatsapp_user_ids": key})
        if key
        else None
    )
    if contact is not None:
        return learn(contact, event.sender, key, event.username), False
    if event.sender:
        # A new contact is created with its BSUID and username: no second write, and no cache flush
        # in every process for each new customer.
        ids = {"whatsapp_user_ids": [key], "whatsapp_username": event.username or ""} if key else {}
        contact, created = number_lookup.find_or_create(list_id, event.sender, event.profile_name, **ids)
        return (learn(contact, None, key, event.username) if key and not created else contact), created
    return _create_without_number(list_id, key, event), True


def _create_without_number(list_id, key, event):
    contact = number_lookup.new_contact(
        event.profile_name, list_id=list_id, whatsapp_username=event.username or "", whatsapp_user_ids=[key]
    )
    get_db().contacts.insert_one(contact)  # one customer's events are applied one at a time: no race
    config_cache.remember(number_lookup.contact_key(contact["_id"]), contact)
    return contact


def learn(contact, e164, key, username):
    """The contact with the number, BSUID and username `event` revealed, stored when new to it.

    A number already held by another contact of the list stays there (the unique (list, phone)
    key refuses it): the contact keeps its BSUID and conversation, and the clash is logged.
    """
    changes, add = {}, {}
    if e164 and not contact.get("phone"):
        changes.update(phone=e164, mobile=contact.get("mobile") or e164)
    if key and key not in (contact.get("whatsapp_user_ids") or ()):
        add = {"whatsapp_user_ids": key}
    if username and username != contact.get("whatsapp_username"):
        changes["whatsapp_username"] = username
    if not changes and not add:
        return contact
    update = {"$set": {**changes, "updated_at": clock.now()}}
    if add:
        update["$addToSet"] = add
    try:
        get_db().contacts.update_one({"_id": contact["_id"]}, update)
    except DuplicateKeyError:
        log.warning("contact %s: the number WhatsApp gave belongs to another contact of its list; kept apart", contact["_id"])
        for taken in ("phone", "mobile"):
            changes.pop(taken, None)
        if not changes and not add:
            return contact
        update["$set"] = {**changes, "updated_at": clock.now()}
        get_db().contacts.update_one({"_id": contact["_id"]}, update)
    config_cache.changed()  # cached copies (by id, by number) are stale now
    merged = {**contact, **changes}
    if add:
        merged["whatsapp_user_ids"] = [*(contact.get("whatsapp_user_ids") or ()), key]
    return merged


def interaction_contact(account, contact):
    """What an interaction keeps of its contact: the name shown and number, with the BSUID and
    username when WhatsApp gave them."""
    summary = {
        "name": display_name(contact),
        "phone": contact.get("mobile") or contact.get("phone") or None,
    }
    user_id, username = user_id_for(account, contact), contact.get("whatsapp_username")
    if user_id:
        summary["user_id"] = user_id
    if username:
        summary["username"] = username
    return summary


def merge_into_interaction(account, interaction, event):
    """An open interaction found by number or BSUID learns the other one the event brings (and its
    contact too), so the customer's next message finds it either way. Returns the interaction."""
    summary = interaction.get("contact") or {}
    changes = {}
    if event.sender and not summary.get("phone"):
        changes["contact.phone"] = event.sender
    if event.user_id and summary.get("user_id") != event.user_id:
        changes["contact.user_id"] = event.user_id
    if event.username and summary.get("username") != event.username:
        changes["contact.username"] = event.username
    if not changes:
        return interaction
    contact = number_lookup.contact_of(interaction)
    if contact is not None:
        key = user_key(account, event.user_id) if event.user_id else None
        contact = learn(contact, event.sender, key, event.username)
        if (
            event.sender
            and contact.get("phone") != event.sender
            and contact.get("mobile") != event.sender
        ):
            changes.pop(
                "contact.phone", None
            )  # the number is another contact's: this one stays without
    if changes:
        get_db().interactions.update_one({"_id": interaction["_id"]}, {"$set": changes})
    merged = {**summary, **{k.split(".", 1)[1]: v for k, v in changes.items()}}
    return {**interaction, "contact": merged}
