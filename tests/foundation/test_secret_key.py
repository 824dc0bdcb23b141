"""No configuration signs with a published key: development generates its own and keeps it."""

import base64
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask
from itsdangerous import URLSafeTimedSerializer

import config as settings
from app import crypto
from app.services.attachments import media_store
from app.services.attachments.media_links import _SALT, PUBLIC_PATH
from app.services.people import users
from config import Config, ConfigError
from tests.support.builders import make_user

# The key Parley's source once used for every development run: public, so anyone could sign with it.
OLD_PUBLISHED_KEY = "parley-development-secret-key-change-me"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def instance_dir(monkeypatch, tmp_path):
    for name in ("SECRET_KEY", "PARLEY_SECRET_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PARLEY_INSTANCE_DIR", str(tmp_path))
    return tmp_path


def forged_session_cookie(app, key, user):
    """A Flask session cookie naming `user`, signed the way Flask signs it, with `key`."""
    signer = Flask("forger")
    signer.secret_key = key
    session_id = f"{user['_id']}:{users.session_version(user)}:{int(time.time())}"
    return signer.session_interface.get_signing_serializer(signer).dumps({"_user_id": session_id, "_fresh": True})


def test_development_generates_a_private_key_file_on_first_start_and_keeps_it(instance_dir):
    first = Config().SECRET_KEY
    key_file = instance_dir / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 32 and first != OLD_PUBLISHED_KEY
    restarted = Config()
    assert first == restarted.SECRET_KEY, "a restart reads the same key"
    assert [p.name for p in instance_dir.iterdir()] == ["secret_key"], "no temporary file is left behind"


def test_processes_starting_at_the_same_moment_end_up_with_one_key(instance_dir):
    start_at = time.time() + 5  # past the slowest start of six interpreters on a loaded machine
    script = (
        "import time, sys; from config import instance_secret_key; "
        f"time.sleep(max(0, {start_at} - time.time())); print(instance_secret_key(sys.argv[1]))"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(instance_dir / "secret_key")], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    keys = {p.communicate(timeout=30)[0].strip() for p in processes}
    assert len(keys) == 1 and len(keys.pop()) >= 32
    assert [p.name for p in instance_dir.iterdir()] == ["secret_key"]


def test_a_damaged_key_file_is_refused_with_the_reason(instance_dir):
    (instance_dir / "secret_key").write_text("short\n")
    with pytest.raises(ConfigError, match="fewer than 32 characters"):
        Config()


def test_the_published_key_is_refused_in_every_configuration(monkeypatch, instance_dir):
    monkeypatch.setenv("SECRET_KEY", OLD_PUBLISHED_KEY)
    for config_class in (Config, settings.TestingConfig):
        with pytest.raises(ConfigError, match="published"):
            config_class().check()


def test_test_configurations_use_a_fresh_random_key(instance_dir):
    assert settings.TestingConfig().SECRET_KEY != settings.TestingConfig().SECRET_KEY
    assert not list(instance_dir.iterdir()), "tests write no key file"


def test_a_session_signed_with_the_old_published_key_is_refused(app, client):
    admin = make_user("admin")
    client.set_cookie("session", forged_session_cookie(app, OLD_PUBLISHED_KEY, admin))
    assert client.get("/admin/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401
    # The same cookie signed with the running key is accepted: the refusal is the key's doing.
    client.set_cookie("session", forged_session_cookie(app, app.config["SECRET_KEY"], admin))
    assert client.get("/admin/").status_code == 200


def test_a_media_link_signed_with_the_old_published_key_is_refused(app, client):
    with app.app_context():
        file_id = media_store.put(b"%PDF-1.4 invoice", "invoice.pdf", "application/pdf")["file_id"]

    def link(key):
        return PUBLIC_PATH + URLSafeTimedSerializer(key, salt=_SALT).dumps(file_id)

    assert client.get(link(OLD_PUBLISHED_KEY)).status_code == 404
    assert client.get(link(app.config["SECRET_KEY"])).status_code == 200


def test_provider_secrets_are_not_readable_with_a_key_derived_from_the_old_one(instance_dir):
    config = Config()
    crypto.configure(config.SECRET_KEY)
    stored = crypto.encrypt("meta-app-secret")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"parley-secrets-at-rest", info=b"fernet").derive(
        OLD_PUBLISHED_KEY.encode()
    )
    with pytest.raises(InvalidToken):
        Fernet(base64.urlsafe_b64encode(derived)).decrypt(stored.encode())
    crypto.configure(Config().SECRET_KEY)  # a restart: the key comes from the same instance file
    assert crypto.decrypt(stored) == "meta-app-secret"
