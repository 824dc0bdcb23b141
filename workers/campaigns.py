"""Sending a campaign (app/services/campaigns/sender.py): one job per campaign at a time."""

from bson import ObjectId

from app.services.campaigns import sender
from workers.context import job


@job
def send_campaign(campaign_id: str):
    """Send until the campaign is paused, cancelled or done; returns its state then."""
    return {"state": sender.run(ObjectId(campaign_id))}
