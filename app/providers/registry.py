"""Which adapter serves an account: ``get_provider(config)`` by ``config["provider"]``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from .base import Provider
from .kaleyra import KaleyraProvider
from .meta import MetaProvider
from .sandbox import SandboxProvider
from .sinch import SinchProvider
from .twilio import TwilioProvider

PROVIDERS: dict[str, type[Provider]] = {
    cls.name: cls for cls in (MetaProvider, KaleyraProvider, TwilioProvider, SinchProvider, SandboxProvider)
}


def get_provider(config: Mapping[str, Any], session: requests.Session | None = None) -> Provider:
    """A ready adapter for one account; raises KeyError naming an unknown provider."""
    name = config.get("provider")
    if name not in PROVIDERS:
        raise KeyError(f"unknown WhatsApp provider {name!r}")
    return PROVIDERS[name](config, session)


def provider_choices() -> list[tuple[str, str]]:
    """(name, label) pairs for the account form's select box."""
    return [(name, cls.label) for name, cls in PROVIDERS.items()]
