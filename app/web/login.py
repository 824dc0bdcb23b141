"""Flask-Login wiring: the session user and how it is loaded from a cookie.

What the session (and the remember-me cookie) stores is "<user id>:<session version>:<signed-in at>".
The user's session version changes at sign-out, password, role or activity changes, which ends
every earlier sign-in; the time stamp bounds any sign-in to REMEMBER_COOKIE_DURATION.
"""

from datetime import timedelta

from flask import current_app
from flask_login import UserMixin

from app.extensions import login_manager
from app.services import clock
from app.services.people import users


class SessionUser(UserMixin):
    """The signed-in user, with the moment this sign-in began (now, for a new one)."""

    def __init__(self, doc, signed_in_at=None):
        self.doc = doc
        self.id = str(doc["_id"])
        self.email = doc["email"]
        self.name = doc["name"]
        self.role = doc["role"]
        self.signed_in_at = signed_in_at if signed_in_at is not None else int(clock.now().timestamp())

    @property
    def is_admin(self):
        return self.role == "admin"

    @property
    def is_active(self):
        return self.doc.get("active", True)

    def get_id(self):
        return f"{self.id}:{users.session_version(self.doc)}:{self.signed_in_at}"


def load_user(session_id):
    user_id, version, signed_in_at = ((session_id or "").split(":") + ["", ""])[:3]
    if not signed_in_at.isdigit():
        return None
    max_age = current_app.config["REMEMBER_COOKIE_DURATION"]
    if clock.now().timestamp() - int(signed_in_at) > max_age / timedelta(seconds=1):
        return None
    doc = users.get_user(user_id)
    if doc is None or str(users.session_version(doc)) != version or not doc.get("active", True):
        return None
    return SessionUser(doc, int(signed_in_at))


def init_app(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
