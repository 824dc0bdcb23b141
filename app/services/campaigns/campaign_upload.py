"""Recipients uploaded with a new campaign: a CSV of contacts, read and checked whole as the
contact lists' import reads and checks it, then stored as a new contact list named after the
campaign. Nothing is stored unless every line is good, so a file with one bad line leaves no
half-made list behind, and the admin sees each bad line's number next to the file."""

import re

from app.db import get_db
from app.domain.campaign_shapes import CSV_MAX_BYTES
from app.domain.fields import limit
from app.domain.shapes import ContactList
from app.services.contacts import contact_lists, contacts_csv
from app.services.errors import ServiceError, ValidationFailed

FIELD = "contacts_csv"
HEADLINE = "Check the contacts file."
#: Bad lines named in the refusal; the rest are counted.
SHOWN_LINES = 10
#: A list's name is shorter than a campaign's; this leaves room for a number: "Offers (12)".
LIST_NAME_MAX = limit(ContactList, "name") - 6


def read(raw):
    """The contacts of a CSV file (bytes), one per number (a number on several lines is one contact,
    its later lines' filled cells winning), or ValidationFailed on `contacts_csv`."""
    if len(raw) > CSV_MAX_BYTES:
        raise ValidationFailed(HEADLINE, {FIELD: f"At most {CSV_MAX_BYTES // (1024 * 1024)} MB per file."})
    by_phone, bad = {}, []
    try:
        for line, values, extra in contacts_csv.rows(raw):
            if extra:
                bad.append(f"Line {line}: {contacts_csv.EXTRA_CELLS}")
                continue
            try:
                contact = contact_lists.check_unlisted_contact(contacts_csv.contact_data(values))
            except ServiceError as exc:
                bad.append(f"Line {line}: {_why(exc)}")
                continue
            earlier = by_phone.get(contact["phone"], {})
            by_phone[contact["phone"]] = {**earlier, **{k: v for k, v in contact.items() if v or k not in earlier}}
    except ServiceError as exc:
        raise ValidationFailed(HEADLINE, {FIELD: f"{exc.message} {exc.fields.get('file', '')}".strip()}) from None
    if bad:
        more = f" And {len(bad) - SHOWN_LINES} more line(s)." if len(bad) > SHOWN_LINES else ""
        raise ValidationFailed(HEADLINE, {FIELD: " ".join(bad[:SHOWN_LINES]) + more})
    if not by_phone:
        raise ValidationFailed(HEADLINE, {FIELD: "The file has no contacts: one per line after the line of column names."})
    return list(by_phone.values())


def _why(exc):
    return " ".join(f"{name.replace('_', ' ')}: {message}" for name, message in exc.fields.items()) or exc.message


def store(campaign_name, contacts):
    """Create the campaign's list (its name, numbered when taken) holding `contacts`; its id."""
    base = campaign_name[:LIST_NAME_MAX]
    taken = {doc["name"] for doc in get_db().contact_lists.find({"name": {"$regex": "^" + re.escape(base)}}, {"name": 1})}
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base} ({number})"
    contact_list = contact_lists.create_list({"name": name, "description": "Uploaded with the campaign of this name."})
    contact_lists.add_contacts(contact_list["_id"], contacts)
    return contact_list["_id"]
