"""Password hashing (argon2id) and the strength rule every password must meet."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
COMMON = {
    "password",
    "password1",
    "password123",
    "1234567890",
    "qwertyuiop",
    "letmein123",
    "welcome123",
    "admin12345",
    "iloveyou12",
    "changeme123",
    "parley1234",
    "abc1234567",
}

_hasher = {"ph": PasswordHasher()}


def configure(time_cost, memory_cost):
    _hasher["ph"] = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)


def hash_password(password):
    return _hasher["ph"].hash(password)


def verify_password(password_hash, password):
    try:
        return _hasher["ph"].verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher["ph"].check_needs_rehash(password_hash)


def weakness(password, email=""):
    """Return why `password` is too weak, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if password.lower() in COMMON:
        return "This password is too common."
    if len(set(password)) < 5:
        return "Use more different characters."
    if password.isalpha() or password.isdigit():
        return "Mix letters with digits or symbols."
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        return "Do not include your email address."
    return None
