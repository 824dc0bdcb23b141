"""What each provider needs from an admin, read from the provider adapters: credential fields,
default API base, label, and the largest attachment it accepts per media type."""

from app.domain.shapes import MEDIA_TYPES, PROVIDER_NAMES  # noqa: F401 - what the account pages offer
from app.providers.media_limits import ANIMATED_STICKER_MAX_BYTES, PROVIDER_MAX_BYTES, WHATSAPP_RULES
from app.providers.registry import PROVIDERS

KB, MB = 1024, 1024 * 1024


def provider(name):
    return PROVIDERS[name]


def credential_fields(name):
    return PROVIDERS[name].credential_fields


def media_limit(provider_name, media_type):
    """Largest file of `media_type` the provider accepts (stickers: the animated maximum)."""
    limit = ANIMATED_STICKER_MAX_BYTES if media_type == "sticker" else WHATSAPP_RULES[media_type].max_bytes
    caps = PROVIDER_MAX_BYTES.get(provider_name, {})
    return min(limit, caps.get(media_type, caps.get("*", limit)))


def max_attachment_limit(provider_name, allowed_types):
    """The largest attachment the provider accepts among the allowed media types."""
    return max((media_limit(provider_name, t) for t in allowed_types), default=0)


def human_size(size):
    return f"{size / MB:g} MB" if size >= MB else f"{size / KB:g} KB"
