"""The session cookie: none at all where providers call us, and one signing serializer per key
instead of one built for every request.

Provider-facing paths (webhooks, signed media links) authenticate by signatures, never by a
session: they get Flask's null session, so no cookie is read or written there, and nothing can
put one in the session by mistake (writing to a null session raises).
"""

from flask.sessions import SecureCookieSessionInterface

COOKIELESS_PATHS = ("/webhooks/",)


class SessionInterface(SecureCookieSessionInterface):
    def __init__(self):
        self._serializers = {}

    def open_session(self, app, request):
        if request.path.startswith(COOKIELESS_PATHS):
            return None  # Flask hands the request a null session
        return super().open_session(app, request)

    def get_signing_serializer(self, app):
        """The serializer holds nothing but its keys: built once per (key, fallback keys)."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer


def init_app(app):
    app.session_interface = SessionInterface()
