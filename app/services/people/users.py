"""Users (admins and agents): creation, sign-in checks and look-ups."""

from datetime import datetime, timezone

from bson import ObjectId
from bson.errors import InvalidId
from email_validator import EmailNotValidError, validate_email
from pymongo.errors import DuplicateKeyError

from app.db import get_db
from app.domain.shapes import ROLES
from app.services.errors import Conflict, ValidationFailed
from app.services.people import passwords

# A real hash of a random password: unknown emails cost the same time as wrong passwords.
_DUMMY_HASH = None


def normalize_email(email):
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationFailed("Invalid email address.", {"email": str(exc)}) from None


def create_user(email, password, name, role="agent", active=True):
    email = normalize_email(email)
    errors = {}
    if role not in ROLES:
        errors["role"] = f"Role must be one of: {', '.join(ROLES)}."
    if not (name or "").strip():
        errors["name"] = "Name is required."
    problem = passwords.weakness(password or "", email)
    if problem:
        errors["password"] = problem
    if errors:
        raise ValidationFailed("The user cannot be created.", errors)
    now = datetime.now(timezone.utc)
    doc = {
        "email": email,
        "name": name.strip(),
        "role": role,
        "active": bool(active),
        "password_hash": passwords.hash_password(password),
        "session_version": 1,
        "created_at": now,
        "updated_at": now,
    }
    try:
        doc["_id"] = get_db().users.insert_one(doc).inserted_id
    except DuplicateKeyError:
        raise Conflict("A user with this email already exists.", {"email": "Already in use."}) from None
    return doc


def get_user(user_id):
    try:
        oid = ObjectId(user_id)
    except (InvalidId, TypeError):
        return None
    return get_db().users.find_one({"_id": oid})


def find_by_email(email):
    return get_db().users.find_one({"email": (email or "").strip().lower()})


def authenticate(email, password):
    """Return the active user whose password matches, else None."""
    global _DUMMY_HASH
    user = find_by_email(email)
    if user is None or not user.get("active", True):
        _DUMMY_HASH = _DUMMY_HASH or passwords.hash_password("not-a-real-password-1")
        passwords.verify_password(_DUMMY_HASH, password or "")
        return None
    if not passwords.verify_password(user["password_hash"], password or ""):
        return None
    if passwords.needs_rehash(user["password_hash"]):
        get_db().users.update_one({"_id": user["_id"]}, {"$set": {"password_hash": passwords.hash_password(password)}})
    return user


def session_version(doc):
    return doc.get("session_version", 1)


def end_sessions(user_id):
    """Invalidate every signed-in session of the user (their cookies stop matching)."""
    get_db().users.update_one({"_id": ObjectId(user_id)}, {"$inc": {"session_version": 1}})
