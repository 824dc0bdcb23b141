"""Jobs that send agents' messages, read receipts and typing indicators to customers."""

from app.services.access.access_rules import as_oid
from app.services.conversations import delivery, typing_indicator
from workers.context import job


@job
def send_message(interaction_id, message_id, attempt=1):
    return delivery.deliver(interaction_id, message_id, attempt)


@job
def send_read_receipt(interaction_id):
    return delivery.send_read_receipt(interaction_id)


@job
def send_typing_indicator(interaction_id):
    return typing_indicator.send_indicator(interaction_id)


@job
def release_held(account_id):
    """Send again what was held while the account needed re-authorization."""
    return delivery.release_held(as_oid(account_id, "account"))
