"""The adapter for an account, with one requests.Session per account kept across jobs."""

import threading

from app.providers.registry import PROVIDERS, get_provider
from app.services.channel.accounts import provider_config

_sessions = {}
_lock = threading.Lock()


def capabilities(account):
    return PROVIDERS[account["provider"]].capabilities


def adapter_for(account, base_url=None):
    """A ready adapter; the session is reused while the account's settings are unchanged."""
    from app.providers.http import make_session

    key = (str(account["_id"]), str(account.get("updated_at")))
    with _lock:
        session = _sessions.get(key)
        if session is None:
            session = _sessions[key] = make_session()
    return get_provider(provider_config(account, base_url), session)
