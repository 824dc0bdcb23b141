"""Flask extensions, created without an app; `create_app` wires them."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect


class _Limiter(Limiter):
    """Flask-Limiter whose check before every request is skipped while no limit of that kind is set.

    Before each request the extension looks for application, default, meta and blueprint limits
    (routes' own limits are checked by their decorators); with none configured that search finds
    nothing, yet cost more than the rest of a webhook's framework work. Once any such limit is
    set, every request is checked again, webhooks included.
    """

    def _check_request_limit(self, callable_name=None, in_middleware=True):
        if in_middleware and not self.request_wide_limits():
            return
        super()._check_request_limit(callable_name, in_middleware)

    def request_wide_limits(self):
        """Whether any application, default, meta or blueprint limit is set."""
        try:
            manager = self.limit_manager
            return bool(manager._application_limits or manager._default_limits or manager._blueprint_limits
                        or self._meta_limits or self._in_memory_fallback)
        except AttributeError:  # another Flask-Limiter version: check as it would
            return True


socketio = SocketIO()
login_manager = LoginManager()
csrf = CSRFProtect()
# Storage is set from REDIS_URL at init; errors are swallowed so sign-in keeps working
# (unthrottled, with an in-memory fallback) while Redis is down.
limiter = _Limiter(key_func=get_remote_address, default_limits=[], swallow_errors=True, in_memory_fallback_enabled=True)
# Where workers/embedded.py leaves the embedded worker it started on the app (readiness reads it).
EMBEDDED_WORKER = "parley_embedded_worker"
