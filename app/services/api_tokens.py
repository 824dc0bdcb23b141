"""Personal API tokens for the REST API: shown once, stored as a SHA-256 hash, revocable.

Tokens are 32 random bytes, so a fast hash is enough (nothing to brute-force); the hash makes
a stolen database useless for calling the API.
"""

import hashlib
import secrets

from app.db import get_db
from app.services import users
from app.services.errors import NotFound
from app.services.records import Fields, now, object_id

PREFIX = "prly_"


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user_id, name):
    """Return (token, doc); the token itself is never stored and cannot be shown again."""
    fields = Fields({"name": name})
    fields.text("name", required=True, max_len=80)
    clean = fields.finish("The token cannot be created.")
    token = PREFIX + secrets.token_urlsafe(32)
    doc = {"user_id": object_id(user_id, "user"), "name": clean["name"], "token_hash": _hash(token),
           "hint": token[-4:], "created_at": now(), "last_used_at": None, "revoked_at": None}
    doc["_id"] = get_db().api_tokens.insert_one(doc).inserted_id
    return token, doc


def tokens_of(user_id):
    return list(get_db().api_tokens.find({"user_id": object_id(user_id, "user")}).sort("created_at", -1))


def revoke(user_id, token_id):
    result = get_db().api_tokens.update_one(
        {"_id": object_id(token_id, "token"), "user_id": object_id(user_id, "user"), "revoked_at": None},
        {"$set": {"revoked_at": now()}},
    )
    if result.matched_count == 0:
        raise NotFound("No such active token.")


def authenticate(token):
    """The active user a bearer token belongs to, or None (unknown, revoked, or user deactivated)."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    doc = get_db().api_tokens.find_one({"token_hash": _hash(token)})
    if doc is None or doc.get("revoked_at"):
        return None
    user = users.get_user(doc["user_id"])
    if user is None or not user.get("active", True):
        return None
    get_db().api_tokens.update_one({"_id": doc["_id"]}, {"$set": {"last_used_at": now()}})
    return user
