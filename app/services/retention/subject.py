"""Everything Parley holds about one person, found from one of their contacts (a GDPR request).

The person is known by the contact's numbers (phone, mobile) and WhatsApp user ids (BSUIDs): every
contact holding one of them, in any list, is theirs, and so is every interaction of those contacts
or of those numbers and user ids, whichever account it came through.
"""

from dataclasses import dataclass

from app.db import get_db
from app.services.contacts import contact_lists


@dataclass
class Subject:
    contacts: list  # contact documents, the one the person was found from first
    interactions: list  # interaction documents, oldest first
    numbers: set
    user_ids: set  # BSUIDs, without their portfolio

    @property
    def contact_ids(self):
        return [c["_id"] for c in self.contacts]

    @property
    def interaction_ids(self):
        return [i["_id"] for i in self.interactions]


def find(contact_id):
    """The person of contact `contact_id`, or NotFound."""
    contact = contact_lists.get_contact(contact_id)
    numbers = {n for n in (contact.get("phone"), contact.get("mobile")) if n}
    user_keys = set(contact.get("whatsapp_user_ids") or ())
    contacts = {contact["_id"]: contact}
    db = get_db()
    for field, values in (("phone", numbers), ("mobile", numbers)):
        if values:
            contacts.update((c["_id"], c) for c in db.contacts.find({field: {"$in": sorted(values)}}))
    if user_keys:
        lists = [c["_id"] for c in db.contact_lists.find({}, {"_id": 1})]
        found = db.contacts.find({"list_id": {"$in": lists}, "whatsapp_user_ids": {"$in": sorted(user_keys)}})
        contacts.update((c["_id"], c) for c in found)
    for other in contacts.values():
        numbers |= {n for n in (other.get("phone"), other.get("mobile")) if n}
        user_keys |= set(other.get("whatsapp_user_ids") or ())
    user_ids = {key.partition("/")[2] for key in user_keys}
    return Subject(list(contacts.values()), _interactions(list(contacts), numbers, user_ids), numbers, user_ids)


def _interactions(contact_ids, numbers, user_ids):
    db = get_db()
    found = {i["_id"]: i for i in db.interactions.find({"contact_id": {"$in": contact_ids}}, {"search_terms": 0})}
    if numbers:
        by_number = db.interactions.find({"contact.phone": {"$in": sorted(numbers)}}, {"search_terms": 0})
        found.update((i["_id"], i) for i in by_number)
    if user_ids:
        accounts = [a["_id"] for a in db.accounts.find({}, {"_id": 1})]
        by_user = db.interactions.find(
            {"account_id": {"$in": accounts}, "contact.user_id": {"$in": sorted(user_ids)}}, {"search_terms": 0}
        )
        found.update((i["_id"], i) for i in by_user)
    return sorted(found.values(), key=lambda i: i["_id"])  # ids grow with time: oldest first
