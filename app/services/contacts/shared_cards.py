"""'Add contact' from a contact card a customer shared: into the account's contact list."""

from app.db import get_db
from app.domain.interaction_shapes import ContactCard
from app.services.access.access_rules import load_visible
from app.services.contacts import number_lookup
from app.services.contacts.phones import to_e164
from app.services.conversations import message_store
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.setup.records import checked

NO_CARD = "No such contact card in this message."


def add_contact(actor, interaction_id, message_id, card_index=0):
    interaction = load_visible(actor, interaction_id, {"account_id": 1})
    message = message_store.get(interaction["_id"], message_id, {"contacts": 1})
    cards = (message or {}).get("contacts") or []
    card_index = checked(ContactCard, {"card": card_index}, NO_CARD, NotFound, strict=True).card or 0
    if card_index >= len(cards):
        raise NotFound(NO_CARD)
    card = cards[card_index]
    phones = [p.get("phone") or p.get("wa_id") for p in card.get("phones", []) if isinstance(p, dict)]
    if not phones:
        raise ValidationFailed("This contact card has no phone number.", {"phones": "No number to save."})
    phone = to_e164(phones[0] if str(phones[0]).startswith("+") else f"+{phones[0]}", field="phone")
    account = get_db().accounts.find_one({"_id": interaction["account_id"]})
    list_id = number_lookup.account_list_id(account)
    if number_lookup.find_by_number(list_id, phone):
        raise Conflict("This number is already in the account's contact list.", {"phone": "Already a contact."})
    name = card.get("name") or {}
    formatted = name.get("formatted_name") if isinstance(name, dict) else str(name)
    return number_lookup.upsert_from_whatsapp(list_id, phone, formatted)
