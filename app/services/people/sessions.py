"""Ending sign-ins: at sign-out, password, role and activity changes.

A user's session version is part of every session and remember-me cookie (see app.web.login);
raising it refuses all of them on the next request or socket connect, on every web process.
Open sockets are closed at once, through the Socket.IO message queue.
"""

from app.db import get_db
from app.realtime import push
from app.services.errors import ValidationFailed
from app.services.people import api_tokens, passwords, users
from app.services.setup.records import now


def end_all(user_id):
    """Sign the user out everywhere: every session and remember-me cookie, every open socket."""
    users.end_sessions(user_id)
    push.disconnect_user(str(user_id))


def password_changed(user_id):
    """A new password ends every sign-in and every API token made under the old one."""
    end_all(user_id)
    api_tokens.revoke_all(user_id, "password changed")


def change_own_password(user_id, current, new, confirm):
    """Check and store the user's new password; return their document as it now is (new session version)."""
    doc = users.get_user(user_id)
    problems = []  # (field, message)
    if not passwords.verify_password(doc["password_hash"], current or ""):
        problems.append(("current_password", "This is not your current password."))
    weakness = passwords.weakness(new or "", doc["email"])
    if weakness:
        problems.append(("new_password", weakness))
    elif new == current:
        problems.append(("new_password", "Choose a password different from the current one."))
    if new != confirm:
        problems.append(("confirm_password", "The two new passwords differ."))
    if problems:
        raise ValidationFailed("The password was not changed.", dict(problems))
    get_db().users.update_one({"_id": doc["_id"]}, {"$set": {"password_hash": passwords.hash_password(new), "updated_at": now()}})
    password_changed(doc["_id"])
    return users.get_user(doc["_id"])
