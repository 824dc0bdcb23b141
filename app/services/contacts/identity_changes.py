"""A customer's new number or business-scoped user id, as WhatsApp reports it (Meta ``system`` messages).

``user_changed_number``: the customer moved to a new number (which also gives them a new BSUID);
``user_changed_user_id``: their BSUID changed and the number is not shared. The contact is found by
the BSUID it had, else by the number the message came from, and takes the new ones (a number another
contact of the list already holds stays there; the clash is logged). The contact's open interaction
takes them too, so the customer's next message finds it and replies go to the new address, and its
agents read a line saying what changed. Nothing else is stored: the change is not a message.
"""

import logging

from pymongo.errors import DuplicateKeyError

from app.db import get_db
from app.domain import messages as msgs
from app.services import clock, config_cache
from app.services.contacts import number_lookup, whatsapp_identity
from app.services.conversations import lifecycle, live, routing
from app.services.serialize import plain

log = logging.getLogger(__name__)


def apply(account, event):
    """Record the change; returns identity_changed, or orphan_identity when no contact is known by it."""
    change, list_id = event.identity, number_lookup.account_list_id(account)
    contact = _contact(account, list_id, event)
    if contact is None:
        return "orphan_identity"  # never seen: the customer's next message creates them with the new ids
    old_phone = contact.get("phone") or contact.get("mobile")
    old_key = whatsapp_identity.user_key(account, change.previous_user_id) if change.previous_user_id else None
    phone = _take_number(contact, change.phone) if change.change == "number" else None
    keys = [k for k in contact.get("whatsapp_user_ids") or () if k != old_key]
    if change.user_id:
        keys = [*dict.fromkeys([*keys, whatsapp_identity.user_key(account, change.user_id)])]
    get_db().contacts.update_one({"_id": contact["_id"]}, {"$set": {"whatsapp_user_ids": keys, "updated_at": clock.now()}})
    config_cache.changed()
    _tell_interaction(account, contact, old_phone, change, phone)
    return "identity_changed"


def _contact(account, list_id, event):
    """By the BSUID it had, else the number the message came from, else the new BSUID (seen already)."""
    change = event.identity
    for user_id in (change.previous_user_id, change.user_id if change.change == "user_id" else None):
        if user_id:
            found = get_db().contacts.find_one(
                {"list_id": list_id, "whatsapp_user_ids": whatsapp_identity.user_key(account, user_id)}
            )
            if found is not None:
                return found
    return number_lookup.find_by_number(list_id, event.sender) if event.sender else None


def _take_number(contact, phone):
    """The contact's number becomes `phone` (the old one kept in `previous_phones`); None when another
    contact of the list holds it."""
    if not phone or phone in (contact.get("phone"), contact.get("mobile")):
        return phone
    old = contact.get("phone") or contact.get("mobile")
    update = {"$set": {"phone": phone, "mobile": phone, "updated_at": clock.now()}}
    if old:
        update["$addToSet"] = {"previous_phones": old}
    try:
        get_db().contacts.update_one({"_id": contact["_id"]}, update)
    except DuplicateKeyError:
        log.warning("contact %s: its new number belongs to another contact of its list; kept apart", contact["_id"])
        return None
    return phone


def _tell_interaction(account, contact, old_phone, change, phone):
    """The contact's open interaction (found by the old BSUID or number) takes the new ones, with a line."""
    old_user_id = change.previous_user_id or whatsapp_identity.user_id_for(account, contact)
    whose = [{"contact.user_id": old_user_id}] if old_user_id else []
    whose += [{"contact.phone": old_phone}] if old_phone else []
    changes = {"contact.user_id": change.user_id} if change.user_id else {}
    if phone:
        changes["contact.phone"] = phone
    if change.change == "number":
        was, now = old_phone or "a number not shared", phone or change.phone or "a number not shared"
        text = f"The customer changed their WhatsApp number from {was} to {now}"
        text += "; replies go to the new number." if phone else "."
    else:
        text = "The customer's WhatsApp user id changed; replies go to the new one."
    for filter_ in whose:
        line = lifecycle.system_line(text)
        doc = lifecycle.append_line(
            {"account_id": account["_id"], "is_open": True, **filter_},
            {"$set": {**changes, "updated_at": clock.now()}, "$inc": {"seq": 1, "messages_len": 1}},
            line,
        )
        if doc is not None:
            live.publish(doc, "message", {"message": plain(msgs.with_position(line, doc)), "interaction": routing.card(doc)})
            return
