"""Contact lists and contacts: unique per list by E.164 phone; phone and mobile kept equal when one is empty.

The product rule (spec: Phone/Mobile Field Management): single messages go to the mobile
number, so when only one of phone and mobile is filled the other gets the same number.

Functions taking `actor` limit what they reach to that user's contacts (contact_scope); without
one they reach every contact, for admin-only callers such as the CSV import.
"""

import re

from email_validator import EmailNotValidError, validate_email
from pymongo.errors import DuplicateKeyError

from app.db import get_db
from app.domain.shapes import Contact, ContactChange, ContactList
from app.services import config_cache
from app.services.contacts import contact_scope
from app.services.contacts.phones import to_e164
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.setup.records import Fields, contains, fetch, now, object_id, paginate, public

TEXT_FIELDS = ("first_name", "last_name", "company", "notes")
PHONE_LIKE = re.compile(r"^[\d\s+()./-]+$")


# -- lists -----------------------------------------------------------------------------------
def _check_list(data, partial):
    return Fields(ContactList, data, partial).finish("The contact list cannot be saved.")


def _lists_of(actor, query):
    ids = contact_scope.list_ids(actor)
    return query if ids is None else {**query, "_id": {"$in": ids}}


def list_lists(search=None, page=None, per_page=None, actor=None):
    query = _lists_of(actor, {"name": contains(search)} if search else {})
    return paginate("contact_lists", query, [("name", 1)], page, per_page)


def all_lists(actor=None):
    return list(get_db().contact_lists.find(_lists_of(actor, {}), {"name": 1}).sort("name", 1))


def get_list(list_id, actor=None):
    doc = fetch("contact_lists", list_id, "contact list")
    ids = contact_scope.list_ids(actor)
    if ids is not None and doc["_id"] not in ids:
        raise NotFound("No such contact list.")
    return doc


def create_list(data):
    doc = _check_list(data, partial=False)
    doc["created_at"] = doc["updated_at"] = now()
    try:
        doc["_id"] = get_db().contact_lists.insert_one(doc).inserted_id
    except DuplicateKeyError:
        raise Conflict("A contact list with this name already exists.", {"name": "Already in use."}) from None
    config_cache.changed()
    return doc


def update_list(list_id, data):
    doc = get_list(list_id)
    changes = _check_list(data, partial=True)
    changes["updated_at"] = now()
    try:
        get_db().contact_lists.update_one({"_id": doc["_id"]}, {"$set": changes})
    except DuplicateKeyError:
        raise Conflict("A contact list with this name already exists.", {"name": "Already in use."}) from None
    config_cache.changed()
    return {**doc, **changes}


def delete_list(list_id):
    """Delete the list and its contacts, unless an account still puts its new contacts there."""
    doc = get_list(list_id)
    users = [a["name"] for a in get_db().accounts.find({"contact_list_id": doc["_id"]}, {"name": 1})]
    if users:
        raise Conflict(f"Accounts put new contacts in this list: {', '.join(users)}. Change them first.")
    get_db().contacts.delete_many({"list_id": doc["_id"]})
    get_db().contact_lists.delete_one({"_id": doc["_id"]})
    config_cache.changed()
    return doc


def count_contacts(list_id):
    return get_db().contacts.count_documents({"list_id": object_id(list_id, "contact list")})


# -- contacts --------------------------------------------------------------------------------
def _check_contact(data, existing=None, actor=None, listed=True):
    """The contact's fields as they are stored; `listed` False checks a new contact without its list
    (one not created yet)."""
    fields = Fields(ContactChange if existing or not listed else Contact, data, partial=existing is not None)
    list_id = fields.values.get("list_id")
    allowed = contact_scope.list_ids(actor) if list_id else None
    if allowed is not None and list_id not in allowed:
        fields.fail("list_id", f"No such contact list: {list_id}.")
    numbers = {}
    for name in ("phone", "mobile"):
        raw = fields.values.get(name)
        numbers[name] = (existing or {}).get(name, "") if raw is None else raw
        if raw:
            try:
                numbers[name] = to_e164(raw, field=name)
            except ValidationFailed as exc:
                fields.fail(name, exc.fields[name])
    email = fields.values.get("email")
    if email:
        try:
            fields.values["email"] = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            fields.fail("email", str(exc))
    # A customer WhatsApp names by user id alone (their number withheld) may stay without one.
    numberless = bool((existing or {}).get("whatsapp_user_ids"))
    if not (numbers["phone"] or numbers["mobile"] or numberless) and not {"phone", "mobile"} & set(fields.errors):
        fields.fail("phone", "Enter a phone or a mobile number.")
    values = fields.finish("The contact cannot be saved.")
    if numbers["phone"] or numbers["mobile"]:
        values["phone"] = numbers["phone"] or numbers["mobile"]
        values["mobile"] = numbers["mobile"] or numbers["phone"]
    else:  # an empty number would collide with other numberless contacts on the unique (list, phone) key
        values.pop("phone", None)
        values.pop("mobile", None)
    return values


def _duplicate():
    return Conflict("A contact with this phone number is already in this list.", {"phone": "Already in this list."})


def search_query(search=None, list_id=None, tag=None):
    query = {}
    if list_id:
        query["list_id"] = object_id(list_id, "contact list")
    if tag:
        query["tags"] = tag
    if search:
        text = search.strip()
        if PHONE_LIKE.match(text):
            text = re.sub(r"[^\d+]", "", text)
        query["$or"] = [
            {"first_name": contains(text)},
            {"last_name": contains(text)},
            {"phone": contains(text)},
            {"mobile": contains(text)},
        ]
    return query


def list_contacts(search=None, page=None, per_page=None, list_id=None, tag=None, actor=None):
    query = search_query(search, list_id, tag)
    if actor:
        query = contact_scope.query(actor, query)
    return paginate("contacts", query, [("last_name", 1), ("first_name", 1)], page, per_page)


def get_contact(contact_id, actor=None):
    doc = fetch("contacts", contact_id, "contact")
    if actor and not contact_scope.can_see(actor, doc):
        raise NotFound("No such contact.")  # the same answer as a wrong id: ids are not confirmed
    return doc


def _new(doc, moment):
    doc.update({k: doc.get(k, "") for k in (*TEXT_FIELDS, "email")})
    doc.setdefault("tags", [])
    doc["created_at"] = doc["updated_at"] = moment
    return doc


def create_contact(data, actor=None):
    doc = _new(_check_contact(data, actor=actor), now())
    try:
        doc["_id"] = get_db().contacts.insert_one(doc).inserted_id
    except DuplicateKeyError:
        raise _duplicate() from None
    config_cache.changed()
    return doc


def check_unlisted_contact(data):
    """A new contact's fields checked as create_contact checks them, before its list exists: the
    contact to store, or ValidationFailed. Nothing is written."""
    return _check_contact(data, listed=False)


def add_contacts(list_id, checked):
    """Store contacts checked by check_unlisted_contact, distinct by phone, in a list: one write."""
    moment = now()
    get_db().contacts.insert_many([_new({**contact, "list_id": object_id(list_id)}, moment) for contact in checked])
    config_cache.changed()


def update_contact(contact_id, data, actor=None):
    doc = get_contact(contact_id, actor)
    changes = _check_contact(data, existing=doc)
    changes["updated_at"] = now()
    try:
        get_db().contacts.update_one({"_id": doc["_id"]}, {"$set": changes})
    except DuplicateKeyError:
        raise _duplicate() from None
    config_cache.changed()
    return {**doc, **changes}


def delete_contact(contact_id):
    doc = get_contact(contact_id)
    get_db().contacts.delete_one({"_id": doc["_id"]})
    config_cache.changed()
    return doc


def display_name(doc):
    name = " ".join(p for p in (doc.get("first_name"), doc.get("last_name")) if p)
    return name or doc.get("phone") or doc.get("whatsapp_name") or doc.get("whatsapp_username") or ""


def public_contact(doc):
    return public(doc)
