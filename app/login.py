"""Flask-Login wiring: the session user and how it is loaded from a cookie."""

from flask_login import UserMixin

from app.extensions import login_manager
from app.services import users


class SessionUser(UserMixin):
    """The signed-in user. The id carries the session version, so ending sessions signs them out."""

    def __init__(self, doc):
        self.doc = doc
        self.id = str(doc["_id"])
        self.email = doc["email"]
        self.name = doc["name"]
        self.role = doc["role"]

    @property
    def is_admin(self):
        return self.role == "admin"

    @property
    def is_active(self):
        return self.doc.get("active", True)

    def get_id(self):
        return f"{self.id}:{self.doc.get('session_version', 1)}"


def load_user(session_id):
    user_id, _, version = (session_id or "").partition(":")
    doc = users.get_user(user_id)
    if doc is None or str(doc.get("session_version", 1)) != version or not doc.get("active", True):
        return None
    return SessionUser(doc)


def init_app(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
