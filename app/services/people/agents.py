"""User administration (admins and agents): list, edit, reset passwords, deactivate, delete.

Deactivating, deleting or changing the role of a user signs them out everywhere at once: their
session version changes (cookies stop matching), their sockets are closed, and (deactivated or
deleted) their API tokens stop working. A new password also revokes their API tokens.
Routing only offers conversations to active users, so offers stop with the same change.
"""

from pymongo.errors import DuplicateKeyError

from app.db import get_db
from app.domain.shapes import User
from app.services import config_cache
from app.services.errors import Conflict, Forbidden, ValidationFailed
from app.services.people import passwords, sessions, users
from app.services.setup.records import Fields, contains, fetch, now, paginate, public

NOUN = "user"


def _check(data, partial, current_email=""):
    fields = Fields(User, data, partial)
    email = fields.values.get("email")
    if email:
        try:
            fields.values["email"] = users.normalize_email(email)
        except ValidationFailed as exc:
            fields.fail("email", exc.fields["email"])
    password = fields.values.get("password")
    if not partial and password == "":
        fields.fail("password", "Required.")
    if password:
        problem = passwords.weakness(password, fields.values.get("email") or current_email)
        if problem:
            fields.fail("password", problem)
    elif "password" in fields.values:
        del fields.values["password"]  # an empty password on an edit keeps the current one
    return fields.finish("The user cannot be saved.")


def list_users(search=None, page=None, per_page=None, role=None, active=None):
    query = {}
    if search:
        query["$or"] = [{"name": contains(search)}, {"email": contains(search)}]
    if role:
        query["role"] = role
    if active is not None:
        query["active"] = active
    return paginate("users", query, [("name", 1)], page, per_page)


def active_agents():
    return list(get_db().users.find({"role": "agent", "active": True}, {"name": 1, "email": 1}).sort("name", 1))


def get_user(user_id):
    return fetch("users", user_id, NOUN)


def create_user(data):
    values = _check(data, partial=False)
    user = users.create_user(values["email"], values["password"], values["name"], values["role"], values["active"])
    if values.get("max_open"):
        get_db().users.update_one({"_id": user["_id"]}, {"$set": {"max_open": values["max_open"]}})
        user["max_open"] = values["max_open"]
    return user


def update_user(user_id, data, actor_id=None):
    doc = get_user(user_id)
    values = _check(data, partial=True, current_email=doc["email"])
    is_self = actor_id is not None and str(actor_id) == str(doc["_id"])
    if is_self and (values.get("active") is False or values.get("role", doc["role"]) != doc["role"]):
        raise Forbidden("You cannot deactivate yourself or change your own role.")
    changes = {k: v for k, v in values.items() if k != "password"}
    if "password" in values:
        changes["password_hash"] = passwords.hash_password(values["password"])
    changes["updated_at"] = now()
    try:
        get_db().users.update_one({"_id": doc["_id"]}, {"$set": changes})
    except DuplicateKeyError:
        raise Conflict("A user with this email already exists.", {"email": "Already in use."}) from None
    config_cache.changed()  # an agent made inactive no longer gets offers
    if "password" in values:
        sessions.password_changed(doc["_id"])
    elif (doc.get("active", True) and changes.get("active") is False) or changes.get("role", doc["role"]) != doc["role"]:
        sessions.end_all(doc["_id"])
    return {**doc, **changes}


def delete_user(user_id, actor_id=None):
    doc = get_user(user_id)
    if actor_id is not None and str(actor_id) == str(doc["_id"]):
        raise Forbidden("You cannot delete yourself.")
    get_db().users.delete_one({"_id": doc["_id"]})
    get_db().queues.update_many({"agent_ids": doc["_id"]}, {"$pull": {"agent_ids": doc["_id"]}})
    config_cache.changed()
    get_db().api_tokens.delete_many({"user_id": doc["_id"]})
    sessions.end_all(doc["_id"])
    return doc


def public_user(doc):
    return public(doc, drop=("password_hash", "session_version"))
