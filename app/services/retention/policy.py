"""How long each kind of data is kept: a number of days per kind, 0 keeping it forever."""

from dataclasses import dataclass

# The TTL indexes of app/db.py delete these after 30 days whatever the setting: a setting can only shorten it.
TTL_CEILING_DAYS = 30


@dataclass(frozen=True)
class Retention:
    interactions_days: int = 0  # closed interactions, with their messages and attachments
    media_days: int = 0  # attachments of closed interactions (their messages stay, marked deleted)
    webhook_failures_days: int = TTL_CEILING_DAYS
    provider_errors_days: int = TTL_CEILING_DAYS
