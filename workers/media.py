"""Jobs that fetch customers' attachments from the provider into GridFS."""

from app.services.attachments import media
from workers.context import job


@job
def fetch_inbound_media(interaction_id, message_id, attempt=1):
    return media.fetch_inbound(interaction_id, message_id, attempt)
