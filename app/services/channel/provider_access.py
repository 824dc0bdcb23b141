"""The adapter for an account, with one requests.Session per account kept across jobs, and the
provider configuration (secrets decrypted) it is built from."""

import threading

from app import crypto
from app.providers.http import make_session
from app.providers.registry import PROVIDERS, get_provider
from app.services.channel.accounts import effective_api_base, webhook_url

_sessions = {}
_lock = threading.Lock()


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
    credentials.update({k: crypto.decrypt(v) for k, v in doc.get("secrets", {}).items()})
    config = {"provider": doc["provider"], "phone": doc["phone"], "api_base": effective_api_base(doc),
              "credentials": credentials}
    if base_url:
        config["webhook_url"] = webhook_url(doc, base_url)
    return config
