"""WhatsApp's 24-hour customer service window: it opens, and re-opens, with each message the
customer sends; our own messages never extend it."""

from datetime import UTC, timedelta

WINDOW = timedelta(hours=24)


def expiry_after(last_inbound_at):
    return last_inbound_at + WINDOW


def is_open(interaction, at):
    expires = interaction.get("window_expires_at")
    return expires is not None and _aware(expires) > at


def _aware(moment):
    """The embedded engine hands datetimes back without tzinfo; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
