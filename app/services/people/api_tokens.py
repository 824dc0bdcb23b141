"""Personal API tokens for the REST API: shown once, stored as a SHA-256 hash, revocable,
optionally read-only and optionally valid until a date.

Tokens are 32 random bytes, so a fast hash is enough (nothing to brute-force); the hash makes
a stolen database useless for calling the API.
"""

import hashlib
import secrets
from datetime import UTC, date, datetime, time, timedelta

from app.db import get_db
from app.domain.shapes import Token
from app.services import clock
from app.services.errors import Forbidden, NotFound, ServiceError, ValidationFailed
from app.services.people import users
from app.services.reading.interaction_list import aware
from app.services.setup.records import Fields, now, object_id

PREFIX = "prly_"
READ_METHODS = ("GET", "HEAD", "OPTIONS")


class TokenRefused(ServiceError):
    """The token exists but can no longer be used (expired or revoked)."""

    status = 401
    code = "unauthorized"


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _expiry(valid_until):
    """A token valid until a day works to the end of that day (UTC)."""
    if valid_until is None:
        return None
    if not isinstance(valid_until, date) or valid_until <= clock.now().date():
        raise ValidationFailed("The token cannot be created.", {"valid_until": "Pick a day after today, or leave it empty."})
    return datetime.combine(valid_until + timedelta(days=1), time(0), UTC)


def create_token(user_id, name, scope="full", valid_until=None):
    """Return (token, doc); the token itself is never stored and cannot be shown again."""
    clean = Fields(Token, {"name": name, "scope": scope}).finish("The token cannot be created.")
    expires_at = _expiry(valid_until)
    token = PREFIX + secrets.token_urlsafe(32)
    doc = {
        "user_id": object_id(user_id, "user"),
        "name": clean["name"],
        "token_hash": _hash(token),
        "hint": token[-4:],
        "scope": clean["scope"],
        "expires_at": expires_at,
        "created_at": now(),
        "last_used_at": None,
        "revoked_at": None,
    }
    doc["_id"] = get_db().api_tokens.insert_one(doc).inserted_id
    return token, doc


def tokens_of(user_id):
    return list(get_db().api_tokens.find({"user_id": object_id(user_id, "user")}).sort("created_at", -1))


def valid_until(doc):
    """The last day the token works (the day its owner chose), or None when it does not expire."""
    return (doc["expires_at"] - timedelta(days=1)).date() if doc.get("expires_at") else None


def status(doc):
    """What the profile page says of a token: active, expired or revoked (with why)."""
    if doc.get("revoked_at"):
        return f"revoked ({doc['revoked_reason']})" if doc.get("revoked_reason") else "revoked"
    if doc.get("expires_at") and aware(doc["expires_at"]) <= clock.now():
        return "expired"
    return "active"


def revoke(user_id, token_id):
    result = get_db().api_tokens.update_one(
        {"_id": object_id(token_id, "token"), "user_id": object_id(user_id, "user"), "revoked_at": None},
        {"$set": {"revoked_at": now()}},
    )
    if result.matched_count == 0:
        raise NotFound("No such active token.")


def revoke_all(user_id, reason):
    get_db().api_tokens.update_many(
        {"user_id": object_id(user_id, "user"), "revoked_at": None}, {"$set": {"revoked_at": now(), "revoked_reason": reason}}
    )


def authenticate(token, method="GET"):
    """The active user a bearer token belongs to, or None (unknown token, or user deactivated).

    Raises TokenRefused for a revoked or expired token, and Forbidden when a read-only token
    is used for anything but reading: both say why, so the integration's owner knows what to fix.
    """
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    doc = get_db().api_tokens.find_one({"token_hash": _hash(token)})
    if doc is None:
        return None
    if doc.get("revoked_at"):
        reason = f" ({doc['revoked_reason']})" if doc.get("revoked_reason") else ""
        raise TokenRefused(f"This API token was revoked{reason}: create a new one on your profile page.")
    expires_at = aware(doc.get("expires_at"))
    if expires_at and expires_at <= clock.now():
        raise TokenRefused(f"This API token expired on {expires_at:%Y-%m-%d %H:%M} UTC: create a new one on your profile page.")
    user = users.get_user(doc["user_id"])
    if user is None or not user.get("active", True):
        return None
    if doc.get("scope") == "read" and method.upper() not in READ_METHODS:
        raise Forbidden("This API token is read-only: it may only read (GET). Use a full-access token to make changes.")
    get_db().api_tokens.update_one({"_id": doc["_id"]}, {"$set": {"last_used_at": now()}})
    return user
