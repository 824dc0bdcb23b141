"""Flask extensions, created without an app; `create_app` wires them."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

socketio = SocketIO()
login_manager = LoginManager()
csrf = CSRFProtect()
# Storage is set from REDIS_URL at init; errors are swallowed so sign-in keeps working
# (unthrottled, with an in-memory fallback) while Redis is down.
limiter = Limiter(key_func=get_remote_address, default_limits=[], swallow_errors=True, in_memory_fallback_enabled=True)
