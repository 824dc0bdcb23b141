"""Settings classes that read the environment; `load_config()` picks one by PARLEY_CONFIG."""

import os
from pathlib import Path

DEFAULT_SECRET_KEY = "parley-development-secret-key-change-me"  # noqa: S105 - production refuses it
ASYNC_MODES = ("eventlet", "gevent", "threading")


class ConfigError(RuntimeError):
    """The configuration cannot run; the message is the one-line reason shown at start-up."""


def env_str(name, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name, default):
    raw = env_str(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def env_bool(name, default):
    raw = env_str(name)
    if raw is None:
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def read_secret_key():
    """SECRET_KEY from the environment, or from the file PARLEY_SECRET_KEY_FILE names."""
    key_file = env_str("PARLEY_SECRET_KEY_FILE")
    if key_file:
        try:
            return Path(key_file).read_text().strip()
        except OSError as exc:
            raise ConfigError(f"PARLEY_SECRET_KEY_FILE {key_file!r} cannot be read: {exc.strerror}") from None
    return env_str("SECRET_KEY", DEFAULT_SECRET_KEY)


class Config:
    """Development defaults: embedded database, local Redis, relaxed cookies."""

    NAME = "development"
    DEBUG = False
    TESTING = False

    def __init__(self):
        self.SECRET_KEY = read_secret_key()
        # Key for encrypting provider secrets at rest; derived from SECRET_KEY unless given.
        self.PARLEY_ENCRYPTION_KEY = env_str("PARLEY_ENCRYPTION_KEY")
        self.MONGO_URI = env_str("MONGO_URI", "mongomock://localhost/parley")
        self.REDIS_URL = env_str("REDIS_URL")
        self.PARLEY_ASYNC_MODE = env_str("PARLEY_ASYNC_MODE", "eventlet")
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
        self.WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
        self.MAX_CONTENT_LENGTH = env_int("PARLEY_MAX_REQUEST_BYTES", 110 * 1024 * 1024)
        self.LOGIN_FAILURES_PER_ADDRESS = env_str("PARLEY_LOGIN_LIMIT_ADDRESS", "20 per 10 minutes")
        # Per (account, address): failures past the first few make that address wait, doubling.
        self.LOGIN_DELAY_AFTER = env_int("PARLEY_LOGIN_DELAY_AFTER", 3)
        self.LOGIN_DELAY_FIRST = env_int("PARLEY_LOGIN_DELAY_FIRST_SECONDS", 30)
        self.LOGIN_DELAY_MAX = env_int("PARLEY_LOGIN_DELAY_MAX_SECONDS", 900)
        # When every agent of a queue has rejected an interaction, offer it to all again after this long.
        self.PARLEY_REOFFER_AFTER_SECONDS = env_int("PARLEY_REOFFER_AFTER_SECONDS", 120)
        # argon2id cost; tests lower it so a suite of sign-ins stays fast.
        self.ARGON2_TIME_COST = env_int("PARLEY_ARGON2_TIME_COST", 3)
        self.ARGON2_MEMORY_COST = env_int("PARLEY_ARGON2_MEMORY_KIB", 65536)

    @property
    def embedded_database(self):
        return self.MONGO_URI.startswith("mongomock://")

    def check(self):
        """Raise ConfigError when these settings cannot run."""
        if not self.REDIS_URL:
            raise ConfigError("REDIS_URL is not set (make run and make test start a local redis-server for you)")


class TestingConfig(Config):
    NAME = "testing"
    TESTING = True

    def __init__(self):
        super().__init__()
        self.MONGO_URI = env_str("MONGO_URI", "mongomock://localhost/parley_test")
        self.PARLEY_ASYNC_MODE = env_str("PARLEY_ASYNC_MODE", "threading")
        self.PARLEY_EMBEDDED_WORKER = env_bool("PARLEY_EMBEDDED_WORKER", False)
        self.ARGON2_TIME_COST = 1
        self.ARGON2_MEMORY_COST = 1024


class ProductionConfig(Config):
    NAME = "production"

    def __init__(self):
        super().__init__()
        self.MONGO_URI = env_str("MONGO_URI")
        self.SESSION_COOKIE_SECURE = True
        self.REMEMBER_COOKIE_SECURE = True
        self.PARLEY_EMBEDDED_WORKER = False

    @property
    def embedded_database(self):
        return False

    def check(self):
        if self.SECRET_KEY == DEFAULT_SECRET_KEY or len(self.SECRET_KEY) < 32:
            raise ConfigError("production needs SECRET_KEY (or PARLEY_SECRET_KEY_FILE) set to a random value of 32+ characters")
        if not self.MONGO_URI or not self.MONGO_URI.startswith(("mongodb://", "mongodb+srv://")):
            raise ConfigError("production needs MONGO_URI set to a mongodb:// or mongodb+srv:// server")
        if not self.REDIS_URL:
            raise ConfigError("production needs REDIS_URL set to a Redis server")


CONFIGS = {"development": Config, "testing": TestingConfig, "production": ProductionConfig}


def load_config(name=None):
    name = name or env_str("PARLEY_CONFIG", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise ConfigError(f"PARLEY_CONFIG must be one of {', '.join(CONFIGS)}, got {name!r}") from None
