import pytest
from cryptography.fernet import Fernet

from config import ConfigError, ProductionConfig, async_mode, load_config

# Every secret setting, with the variable naming a file that holds it (compose and Kubernetes secrets are files).
SECRETS = {"SECRET_KEY": "PARLEY_SECRET_KEY_FILE", "PARLEY_ENCRYPTION_KEY": "PARLEY_ENCRYPTION_KEY_FILE"}


def production(monkeypatch, **env):
    for name in (*SECRETS, *SECRETS.values(), "MONGO_URI", "REDIS_URL", "PARLEY_SEED_DEMO", "PARLEY_ASYNC_MODE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return ProductionConfig()


GOOD = {"SECRET_KEY": "x" * 40, "MONGO_URI": "mongodb://db.example:27017/parley", "REDIS_URL": "redis://cache.example:6379/0"}


def test_production_accepts_complete_settings(monkeypatch):
    production(monkeypatch, **GOOD).check()


@pytest.mark.parametrize(
    "override, reason",
    [
        ({"SECRET_KEY": "parley-development-secret-key-change-me"}, "SECRET_KEY"),
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"MONGO_URI": ""}, "MONGO_URI"),
        ({"MONGO_URI": "mongomock://localhost/parley"}, "MONGO_URI"),
        ({"REDIS_URL": ""}, "REDIS_URL"),
        ({"PARLEY_SEED_DEMO": "1"}, "PARLEY_SEED_DEMO"),
        ({"PARLEY_ASYNC_MODE": "eventlet"}, "PARLEY_ASYNC_MODE=eventlet"),
    ],
)
def test_production_refuses_to_start_with_a_one_line_reason(monkeypatch, override, reason):
    config = production(monkeypatch, **{**GOOD, **override})
    with pytest.raises(ConfigError) as info:
        config.check()
    assert reason in str(info.value) and "\n" not in str(info.value)


def test_secret_key_can_come_from_a_file(monkeypatch, tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text("k" * 48 + "\n")
    config = production(monkeypatch, **{**GOOD, "SECRET_KEY": ""}, PARLEY_SECRET_KEY_FILE=str(key_file))
    assert config.SECRET_KEY == "k" * 48
    config.check()


def test_unreadable_secret_key_file_is_named(monkeypatch, tmp_path):
    with pytest.raises(ConfigError, match="PARLEY_SECRET_KEY_FILE"):
        production(monkeypatch, PARLEY_SECRET_KEY_FILE=str(tmp_path / "missing"))


def test_the_encryption_key_can_come_from_a_file_and_wins_over_the_variable(monkeypatch, tmp_path):
    key = Fernet.generate_key().decode()
    key_file = tmp_path / "encryption_key"
    key_file.write_text(key + "\n")
    config = production(
        monkeypatch, **GOOD, PARLEY_ENCRYPTION_KEY=Fernet.generate_key().decode(), PARLEY_ENCRYPTION_KEY_FILE=str(key_file)
    )
    assert key == config.PARLEY_ENCRYPTION_KEY
    config.check()


@pytest.mark.parametrize("variable, file_variable", SECRETS.items())
def test_a_secret_file_that_is_missing_or_empty_stops_the_start_naming_it(monkeypatch, tmp_path, variable, file_variable):
    """An empty file is refused: read as unset, development would make up a key, or the encryption
    key would be derived from SECRET_KEY, and the secrets stored meanwhile be lost once it is filled."""
    with pytest.raises(ConfigError, match=f"{file_variable} .*cannot be read"):
        production(monkeypatch, **GOOD, **{file_variable: str(tmp_path / "missing")})
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ConfigError, match=f"{file_variable} .*is empty"):
        production(monkeypatch, **GOOD, **{file_variable: str(tmp_path / "empty")})


def test_production_cookies_are_secure(monkeypatch):
    config = production(monkeypatch, **GOOD)
    assert config.SESSION_COOKIE_SECURE and config.SESSION_COOKIE_HTTPONLY and config.SESSION_COOKIE_SAMESITE == "Lax"


def test_unknown_config_name_and_async_mode_are_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("PARLEY_INSTANCE_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="PARLEY_CONFIG"):
        load_config("staging")
    monkeypatch.setenv("PARLEY_ASYNC_MODE", "asyncio")
    with pytest.raises(ConfigError, match="PARLEY_ASYNC_MODE"):
        load_config("testing")


def test_async_mode_is_chosen_by_the_environment(monkeypatch, redis_url, tmp_path):
    from app import create_app
    from app.extensions import socketio

    monkeypatch.setenv("PARLEY_ASYNC_MODE", "threading")
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("PARLEY_INSTANCE_DIR", str(tmp_path))  # development writes its generated key there
    app = create_app("development")
    assert app.config["PARLEY_ASYNC_MODE"] == "threading"
    assert socketio.async_mode == "threading"


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"MONGO_URI": "mongodb://db.example:27017/parley"}, "gevent"),
        ({"MONGO_URI": "mongodb+srv://cluster.example/parley"}, "gevent"),
        ({"MONGO_URI": "mongomock://localhost/parley"}, "eventlet"),
        ({}, "eventlet"),
        ({"MONGO_URI": "mongodb://db.example:27017/parley", "PARLEY_ASYNC_MODE": "eventlet"}, "eventlet"),
        ({"MONGO_URI": "mongomock://localhost/parley", "PARLEY_ASYNC_MODE": "gevent"}, "gevent"),
        ({"PARLEY_CONFIG": "testing"}, "threading"),
    ],
)
def test_async_mode_defaults_to_gevent_where_mongo_uri_names_a_server(monkeypatch, tmp_path, env, expected):
    """wsgi.py patches for `async_mode(os.environ)` before importing the app; the app's settings,
    read from the same environment, must name the same mode."""
    for name in ("MONGO_URI", "PARLEY_ASYNC_MODE", "PARLEY_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PARLEY_INSTANCE_DIR", str(tmp_path))
    assert async_mode() == expected
    app_mode = load_config().PARLEY_ASYNC_MODE
    assert app_mode == expected


def test_production_defaults_to_gevent_and_starts(monkeypatch):
    config = production(monkeypatch, **GOOD)
    config.check()
    assert config.PARLEY_ASYNC_MODE == "gevent"


def test_logs_are_json_in_production_text_elsewhere_unless_set(monkeypatch):
    monkeypatch.delenv("PARLEY_LOG_FORMAT", raising=False)
    assert production(monkeypatch, **GOOD).PARLEY_LOG_FORMAT == "json"
    assert load_config("testing").PARLEY_LOG_FORMAT == "text"
    monkeypatch.setenv("PARLEY_LOG_FORMAT", "json")
    assert load_config("testing").PARLEY_LOG_FORMAT == "json"
    monkeypatch.setenv("PARLEY_LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match="PARLEY_LOG_FORMAT"):
        load_config("testing")


def test_the_metrics_token_comes_from_the_environment_or_a_file(monkeypatch, tmp_path):
    monkeypatch.delenv("PARLEY_METRICS_TOKEN", raising=False)
    monkeypatch.delenv("PARLEY_METRICS_TOKEN_FILE", raising=False)
    assert production(monkeypatch, **GOOD).PARLEY_METRICS_TOKEN is None
    token_file = tmp_path / "metrics_token"
    token_file.write_text("from-a-file\n")
    assert production(monkeypatch, **GOOD, PARLEY_METRICS_TOKEN_FILE=str(token_file)).PARLEY_METRICS_TOKEN == "from-a-file"
    with pytest.raises(ConfigError, match="PARLEY_METRICS_TOKEN_FILE"):
        production(monkeypatch, **GOOD, PARLEY_METRICS_TOKEN_FILE=str(tmp_path / "missing"))
