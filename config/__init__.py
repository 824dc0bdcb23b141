"""Settings classes that read the environment; `load_config()` picks one by PARLEY_CONFIG."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

# Where development keeps what it generates on first start, such as its SECRET_KEY (git-ignored).
DEFAULT_INSTANCE_DIR = Path(__file__).resolve().parents[1] / "var"
# Keys once printed in Parley's own source: anyone can sign sessions with them, so none is accepted.
PUBLISHED_SECRET_KEYS = frozenset({"parley-development-secret-key-change-me"})
ASYNC_MODES = ("eventlet", "gevent", "threading")
SERVER_URI_SCHEMES = ("mongodb://", "mongodb+srv://")
LOG_FORMATS = ("text", "json")


class ConfigError(RuntimeError):
    """The configuration cannot run; the message is the one-line reason shown at start-up."""


def env_str(name, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_words(name):
    """A comma-separated list of words, or None when unset."""
    raw = env_str(name)
    return tuple(word.strip() for word in raw.split(",") if word.strip()) if raw else None


def env_int(name, default):
    raw = env_str(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def env_float(name, default):
    raw = env_str(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be more than 0")
    return value


RETENTION_SETTINGS = {  # field of app/services/retention/policy.Retention: (variable, default, most allowed)
    "interactions_days": ("PARLEY_RETAIN_INTERACTIONS_DAYS", 0, None),
    "media_days": ("PARLEY_RETAIN_MEDIA_DAYS", 0, None),
    # Their TTL indexes (app/db.py) delete them at 30 days: the setting can only shorten that.
    "webhook_failures_days": ("PARLEY_RETAIN_WEBHOOK_FAILURES_DAYS", 30, 30),
    "provider_errors_days": ("PARLEY_RETAIN_PROVIDER_ERRORS_DAYS", 30, 30),
}


def retention_settings():
    """{Retention field: days} from the environment; 0 keeps forever where there is no most allowed."""
    settings = {}
    for field, (name, default, most) in RETENTION_SETTINGS.items():
        days = env_int(name, default)
        if most is not None and not 1 <= days <= most:
            raise ConfigError(f"{name} must be from 1 to {most} days, got {days}")
        if days < 0:
            raise ConfigError(f"{name} must be 0 (keep forever) or a number of days, got {days}")
        settings[field] = days
    return settings


def env_bool(name, default):
    raw = env_str(name)
    if raw is None:
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def async_mode(environ=None, config_name=None):
    """The async server mode these settings run: PARLEY_ASYNC_MODE when set; otherwise gevent where
    MONGO_URI names a MongoDB server (PyMongo 4.16+ dropped eventlet), eventlet for the embedded
    engine, threading under tests. wsgi.py calls it before importing the app, to monkey-patch."""
    environ = os.environ if environ is None else environ
    explicit = environ.get("PARLEY_ASYNC_MODE")
    if explicit:
        return explicit
    if (config_name or environ.get("PARLEY_CONFIG")) == "testing":
        return "threading"
    if (environ.get("MONGO_URI") or "").startswith(SERVER_URI_SCHEMES):
        return "gevent"
    return "eventlet"


def env_secret(name, file_name):
    """A secret from the file `file_name` names (container secrets are files), else from the
    variable `name`; None when neither is set. Surrounding whitespace in the file is ignored; an
    empty file is refused rather than read as unset (a key would otherwise be made up or derived)."""
    path = env_str(file_name)
    if not path:
        return env_str(name)
    try:
        value = Path(path).read_text().strip()
    except OSError as exc:
        raise ConfigError(f"{file_name} {path!r} cannot be read: {exc.strerror}") from None
    if not value:
        raise ConfigError(f"{file_name} {path!r} is empty")
    return value


def read_secret_key():
    """SECRET_KEY from the environment, or from the file PARLEY_SECRET_KEY_FILE names; None when neither is set."""
    return env_secret("SECRET_KEY", "PARLEY_SECRET_KEY_FILE")


def instance_secret_key(path):
    """The key kept in `path`, created (random, mode 0600) on first start.

    The file is written whole under a temporary name and then linked into place, which fails
    when it exists: processes starting at the same moment all end up reading the one key that won.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.fchmod(fd, 0o600)
                os.write(fd, (secrets.token_urlsafe(48) + "\n").encode())
                os.fsync(fd)
            finally:
                os.close(fd)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process created it first: use theirs
            finally:
                tmp.unlink()
        key = path.read_text().strip()
    except OSError as exc:
        raise ConfigError(f"the secret key file {str(path)!r} cannot be created or read: {exc.strerror}") from None
    if len(key) < 32:
        raise ConfigError(f"the secret key file {str(path)!r} holds fewer than 32 characters: delete it to get a new key")
    return key


class Config:
    """Development defaults: embedded database, local Redis, relaxed cookies."""

    NAME = "development"
    DEFAULT_LOG_FORMAT = "text"
    DEBUG = False
    TESTING = False

    def __init__(self):
        self.SECRET_KEY = read_secret_key() or self.generated_secret_key()
        # Key for encrypting provider secrets at rest; derived from SECRET_KEY unless given.
        self.PARLEY_ENCRYPTION_KEY = env_secret("PARLEY_ENCRYPTION_KEY", "PARLEY_ENCRYPTION_KEY_FILE")
        self.MONGO_URI = env_str("MONGO_URI", "mongomock://localhost/parley")
        self.REDIS_URL = env_str("REDIS_URL")
        # How long a request or a job waits for one Redis answer: a frozen Redis fails the call (a
        # webhook answers 500 and its provider retries) instead of holding a handler forever.
        self.PARLEY_REDIS_TIMEOUT_SECONDS = env_float("PARLEY_REDIS_TIMEOUT_SECONDS", 5.0)
        # A customer's whole message that opts their number out of campaigns, or back in (comma-separated;
        # unset: app/services/campaigns/opt_out.py's STOP, START and their equivalents in other languages).
        self.PARLEY_OPT_OUT_WORDS = env_words("PARLEY_OPT_OUT_WORDS")
        self.PARLEY_OPT_IN_WORDS = env_words("PARLEY_OPT_IN_WORDS")
        self.PARLEY_ASYNC_MODE = async_mode(config_name=self.NAME)
        if self.PARLEY_ASYNC_MODE not in ASYNC_MODES:
            raise ConfigError(f"PARLEY_ASYNC_MODE must be one of {', '.join(ASYNC_MODES)}")
        self.PARLEY_PUBLIC_URL = env_str("PARLEY_PUBLIC_URL")
        # Run the RQ worker and periodic jobs inside the web process (embedded database only).
        self.PARLEY_EMBEDDED_WORKER = env_bool("PARLEY_EMBEDDED_WORKER", True)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = False
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        # "Keep me signed in" lasts this long, and no sign-in (remembered or not) is honoured longer.
        remember_days = env_int("PARLEY_REMEMBER_DAYS", 14)
        if remember_days < 1:
            raise ConfigError("PARLEY_REMEMBER_DAYS must be at least 1")
        self.REMEMBER_COOKIE_DURATION = timedelta(days=remember_days)
        self.WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
        self.MAX_CONTENT_LENGTH = env_int("PARLEY_MAX_REQUEST_BYTES", 110 * 1024 * 1024)
        # Reverse proxies in front of Parley whose X-Forwarded-* headers are trusted (0: none, so a
        # client cannot pick the address the sign-in throttle sees).
        self.PROXY_COUNT = env_int("PARLEY_PROXY_COUNT", 0)
        if self.PROXY_COUNT < 0:
            raise ConfigError("PARLEY_PROXY_COUNT must be 0 or more")
        self.LOGIN_FAILURES_PER_ADDRESS = env_str("PARLEY_LOGIN_LIMIT_ADDRESS", "20 per 10 minutes")
        # Per (account, address): failures past the first few make that address wait, doubling.
        self.LOGIN_DELAY_AFTER = env_int("PARLEY_LOGIN_DELAY_AFTER", 3)
        self.LOGIN_DELAY_FIRST = env_int("PARLEY_LOGIN_DELAY_FIRST_SECONDS", 30)
        self.LOGIN_DELAY_MAX = env_int("PARLEY_LOGIN_DELAY_MAX_SECONDS", 900)
        # Wrong current passwords on the profile page, per signed-in user (sign-in itself uses the waits above).
        self.LOGIN_FAILURES_PER_ACCOUNT = env_str("PARLEY_LOGIN_LIMIT_ACCOUNT", "5 per 10 minutes")
        # When every agent of a queue has rejected an interaction, offer it to all again after this long.
        self.PARLEY_REOFFER_AFTER_SECONDS = env_int("PARLEY_REOFFER_AFTER_SECONDS", 120)
        # How long an accepted webhook event waits before it is applied, so that a customer's
        # earlier message arriving late still goes in first (app/services/channel/drain.py).
        self.PARLEY_INBOUND_REORDER_MS = env_int("PARLEY_INBOUND_REORDER_MS", 150)
        self.PARLEY_INBOUND_SLICE_MS = env_int("PARLEY_INBOUND_SLICE_MS", 150)
        # A web process's sockets stay online this long after its last heartbeat (it beats 4 times per TTL).
        self.PARLEY_PRESENCE_TTL_SECONDS = env_int("PARLEY_PRESENCE_TTL_SECONDS", 60)
        if self.PARLEY_PRESENCE_TTL_SECONDS < 1:
            raise ConfigError("PARLEY_PRESENCE_TTL_SECONDS must be at least 1")
        # An agent whose last socket closed keeps their state (Online, Paused) this long, enough for a
        # page reload; then they are Offline and their pending offers move on.
        self.PARLEY_PRESENCE_GRACE_SECONDS = env_int("PARLEY_PRESENCE_GRACE_SECONDS", 30)
        # Live events kept per interaction for browsers that reconnect (in Redis), and how long after
        # the interaction's last event; a browser further behind reloads the conversation instead.
        self.PARLEY_LIVE_EVENTS_KEPT = env_int("PARLEY_LIVE_EVENTS_KEPT", 1000)
        self.PARLEY_LIVE_EVENTS_TTL_SECONDS = env_int("PARLEY_LIVE_EVENTS_TTL_SECONDS", 7 * 24 * 3600)
        if self.PARLEY_LIVE_EVENTS_KEPT < 1 or self.PARLEY_LIVE_EVENTS_TTL_SECONDS < 1:
            raise ConfigError("PARLEY_LIVE_EVENTS_KEPT and PARLEY_LIVE_EVENTS_TTL_SECONDS must be at least 1")
        # Accounts, queues and contacts are cached in each process; a change made by another process is
        # seen within this many milliseconds (the process that made it sees it at once).
        self.PARLEY_CONFIG_CACHE_MS = env_int("PARLEY_CONFIG_CACHE_MS", 1000)
        # Provider calls: seconds to connect, and to wait for the provider's next bytes (each attempt;
        # a send that times out is retried with backoff).
        self.PARLEY_PROVIDER_CONNECT_TIMEOUT = env_float("PARLEY_PROVIDER_CONNECT_TIMEOUT", 5.0)
        self.PARLEY_PROVIDER_READ_TIMEOUT = env_float("PARLEY_PROVIDER_READ_TIMEOUT", 15.0)
        # The AI assistant: seconds to wait for the Chat Completions endpoint before handing over, and
        # how long a conversation stays quiet before the assistant answers (quick messages get one answer).
        self.PARLEY_ASSISTANT_TIMEOUT = env_float("PARLEY_ASSISTANT_TIMEOUT", 10.0)
        self.PARLEY_ASSISTANT_DEBOUNCE_SECONDS = env_float("PARLEY_ASSISTANT_DEBOUNCE_SECONDS", 2.0)
        # The reconciler re-queues sends and media downloads left waiting this long with no job.
        self.PARLEY_RECONCILE_AFTER_SECONDS = env_int("PARLEY_RECONCILE_AFTER_SECONDS", 120)
        # Retention (app/services/retention): days kept, 0 = forever; the purge job runs every 10 minutes.
        self.PARLEY_RETENTION = retention_settings()
        # How long an embedded worker thread waits for a job before it looks whether it should stop:
        # the most a stop of the embedded workers waits for an idle thread.
        self.PARLEY_EMBEDDED_POLL_SECONDS = env_float("PARLEY_EMBEDDED_POLL_SECONDS", 1.0)
        # On SIGTERM, how long wsgi.py lets the requests in progress (gevent) and its embedded workers' jobs finish.
        self.PARLEY_STOP_GRACE_SECONDS = env_float("PARLEY_STOP_GRACE_SECONDS", 30.0)
        # The simulator's "jump 24 h ahead" rewrites a conversation's window: never in production.
        self.PARLEY_SIMULATOR_TIME_JUMP = True
        # Log lines: "text" (readable) or "json" (one object per line, for log collectors); production: json.
        self.PARLEY_LOG_FORMAT = env_str("PARLEY_LOG_FORMAT", self.DEFAULT_LOG_FORMAT)
        if self.PARLEY_LOG_FORMAT not in LOG_FORMATS:
            raise ConfigError(f"PARLEY_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
        # The bearer token Prometheus sends to /metrics (or a file holding it); unset: /metrics answers 404.
        self.PARLEY_METRICS_TOKEN = env_secret("PARLEY_METRICS_TOKEN", "PARLEY_METRICS_TOKEN_FILE")
        # argon2id cost; tests lower it so a suite of sign-ins stays fast.
        self.ARGON2_TIME_COST = env_int("PARLEY_ARGON2_TIME_COST", 3)
        self.ARGON2_MEMORY_COST = env_int("PARLEY_ARGON2_MEMORY_KIB", 65536)

    def generated_secret_key(self):
        """The key used when none is configured: development keeps one in an instance file."""
        return instance_secret_key(Path(env_str("PARLEY_INSTANCE_DIR", DEFAULT_INSTANCE_DIR)) / "secret_key")

    @property
    def embedded_database(self):
        return self.MONGO_URI.startswith("mongomock://")

    def check(self):
        """Raise ConfigError when these settings cannot run."""
        if self.SECRET_KEY in PUBLISHED_SECRET_KEYS:
            raise ConfigError("SECRET_KEY is a key published in Parley's source: set a random one, or unset it in development")
        if not self.REDIS_URL:
            raise ConfigError("REDIS_URL is not set (make run and make test start a local redis-server for you)")


class TestingConfig(Config):
    NAME = "testing"
    TESTING = True

    def __init__(self):
        super().__init__()
        self.MONGO_URI = env_str("MONGO_URI", "mongomock://localhost/parley_test")
        self.PARLEY_EMBEDDED_WORKER = env_bool("PARLEY_EMBEDDED_WORKER", False)
        # Tests apply accepted events at once; the ordering tests set their own hold.
        self.PARLEY_INBOUND_REORDER_MS = env_int("PARLEY_INBOUND_REORDER_MS", 0)
        self.PARLEY_ASSISTANT_DEBOUNCE_SECONDS = env_float("PARLEY_ASSISTANT_DEBOUNCE_SECONDS", 0.0)
        # Every live server of the suite stops its embedded workers at the end of its test.
        self.PARLEY_EMBEDDED_POLL_SECONDS = env_float("PARLEY_EMBEDDED_POLL_SECONDS", 0.25)
        self.ARGON2_TIME_COST = 1
        self.ARGON2_MEMORY_COST = 1024

    def generated_secret_key(self):
        return secrets.token_urlsafe(48)  # a fresh key per configuration: nothing is written to disk


class ProductionConfig(Config):
    NAME = "production"
    DEFAULT_LOG_FORMAT = "json"

    def __init__(self):
        super().__init__()
        self.MONGO_URI = env_str("MONGO_URI")
        self.SESSION_COOKIE_SECURE = True
        self.REMEMBER_COOKIE_SECURE = True
        self.PARLEY_EMBEDDED_WORKER = False
        self.PARLEY_SIMULATOR_TIME_JUMP = False

    def generated_secret_key(self):
        return None  # production never makes up its key: every process must share the configured one

    @property
    def embedded_database(self):
        return False

    def check(self):
        if not self.SECRET_KEY or self.SECRET_KEY in PUBLISHED_SECRET_KEYS or len(self.SECRET_KEY) < 32:
            raise ConfigError("production needs SECRET_KEY (or PARLEY_SECRET_KEY_FILE) set to a random value of 32+ characters")
        if env_bool("PARLEY_SEED_DEMO", False):
            raise ConfigError("PARLEY_SEED_DEMO creates logins with a published password: never in production")
        if not self.MONGO_URI or not self.MONGO_URI.startswith(SERVER_URI_SCHEMES):
            raise ConfigError("production needs MONGO_URI set to a mongodb:// or mongodb+srv:// server")
        if self.PARLEY_ASYNC_MODE == "eventlet":
            raise ConfigError(
                "PARLEY_ASYNC_MODE=eventlet cannot run with a MongoDB server (PyMongo 4.16+ dropped it): use gevent, the default"
            )
        if not self.REDIS_URL:
            raise ConfigError("production needs REDIS_URL set to a Redis server")


CONFIGS = {"development": Config, "testing": TestingConfig, "production": ProductionConfig}


def load_config(name=None):
    name = name or env_str("PARLEY_CONFIG", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise ConfigError(f"PARLEY_CONFIG must be one of {', '.join(CONFIGS)}, got {name!r}") from None
