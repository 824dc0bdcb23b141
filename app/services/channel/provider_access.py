"""The adapter for an account, with one requests.Session per account kept across jobs, and the
provider configuration (secrets decrypted) it is built from.

Secrets are decrypted once per stored ciphertext rather than on every webhook: the clear values
stay in this process's memory only, keyed by the account and its ciphertexts (and the key that
decrypted them), and are dropped whenever the configuration cache drops its documents.
"""

import threading

from app import crypto
from app.providers.http import make_session
from app.providers.registry import PROVIDERS, get_provider
from app.services import config_cache
from app.services.channel.accounts import effective_api_base, webhook_url

_sessions = {}
_lock = threading.Lock()
_clear_secrets = {}  # account id -> ((key generation, stored ciphertexts), {name: clear value})
MAX_CLEAR_SECRETS = 10_000
config_cache.on_drop(_clear_secrets.clear)


def capabilities(account):
    return PROVIDERS[account["provider"]].capabilities


def adapter_for(account, base_url=None):
    """A ready adapter; the session is reused while the account's settings are unchanged."""
    key = (str(account["_id"]), str(account.get("updated_at")))
    with _lock:
        session = _sessions.get(key)
        if session is None:
            session = _sessions[key] = make_session()
    return get_provider(provider_config(account, base_url), session)


def provider_config(doc, base_url=None):
    """What a provider adapter needs, secrets decrypted: never store or render the result."""
    credentials = dict(doc.get("credentials", {}))
    credentials.update(_decrypted_secrets(doc))
    config = {"provider": doc["provider"], "phone": doc["phone"], "api_base": effective_api_base(doc),
              "credentials": credentials}
    if base_url:
        config["webhook_url"] = webhook_url(doc, base_url)
    return config


def _decrypted_secrets(doc):
    stored = doc.get("secrets") or {}
    fingerprint = (crypto.generation(), tuple(stored.items()))
    account_id = doc.get("_id")
    entry = _clear_secrets.get(account_id)
    if entry is not None and entry[0] == fingerprint:
        return entry[1]
    clear = {name: crypto.decrypt(value) for name, value in stored.items()}
    if account_id is not None:
        with _lock:
            if len(_clear_secrets) >= MAX_CLEAR_SECRETS:
                _clear_secrets.clear()
            _clear_secrets[account_id] = (fingerprint, clear)
    return clear
