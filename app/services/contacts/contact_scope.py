"""Which contacts a user may see and edit: admins all; agents those in the contact lists of their
queues' accounts, and the customers of interactions they can see (e.g. one transferred to them
from another queue). Anything else is answered as if it did not exist.
"""

from app.db import get_db
from app.services.access.access_rules import queue_ids_of, visibility_filter
from app.services.contacts import number_lookup


def _own_accounts(actor):
    return list(get_db().accounts.find({"queue_id": {"$in": queue_ids_of(actor["_id"])}}, {"contact_list_id": 1}))


def _list_ids(accounts):
    ids = {account.get("contact_list_id") for account in accounts}
    if None in ids:  # such accounts put their contacts in the shared default list
        default = get_db().contact_lists.find_one({"name": number_lookup.DEFAULT_LIST_NAME}, {"_id": 1})
        ids.add(default and default["_id"])
    return [list_id for list_id in ids if list_id]


def list_ids(actor):
    """The contact lists the actor works with; None for every list (admins, and callers with no actor)."""
    return None if actor is None or actor["role"] == "admin" else _list_ids(_own_accounts(actor))


def query(actor, base=None):
    """`base` (a contacts query) narrowed to what `actor` may see.

    Customers met through interactions of other accounts (transfers in) come from one distinct
    over those interactions only: the agent's own accounts' contacts are already in their lists.
    """
    base = base or {}
    if actor["role"] == "admin":
        return base
    accounts = _own_accounts(actor)
    met = get_db().interactions.distinct(
        "contact_id", {**visibility_filter(actor), "account_id": {"$nin": [account["_id"] for account in accounts]}}
    )
    scope = {"$or": [{"list_id": {"$in": _list_ids(accounts)}}, {"_id": {"$in": met}}]}
    return {"$and": [base, scope]} if base else scope


def can_see(actor, contact):
    if actor["role"] == "admin" or contact.get("list_id") in list_ids(actor):
        return True
    return get_db().interactions.find_one({"contact_id": contact["_id"], **visibility_filter(actor)}, {"_id": 1}) is not None
