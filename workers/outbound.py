"""Jobs that send agents' messages and read receipts to customers."""

from app.services.conversations import delivery
from workers.context import job


@job
def send_message(interaction_id, message_id, attempt=1):
    return delivery.deliver(interaction_id, message_id, attempt)


@job
def send_read_receipt(interaction_id):
    return delivery.send_read_receipt(interaction_id)
