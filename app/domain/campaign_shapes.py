"""What an admin gives to create a campaign, and the states a campaign and a recipient go through."""

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from app.domain.fields import Reference, References, Text, Whole
from app.domain.shapes import Shape

#: The contact fields a template parameter can take its value from.
CONTACT_FIELDS = ("first_name", "last_name", "company", "phone", "mobile", "email")
LOCAL_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"
#: Meta's standard messaging tier, the default rate; 1,000/s is the highest tier's.
DEFAULT_RATE, MAX_RATE = 80, 1000

CAMPAIGN_STATES = ("scheduled", "sending", "paused", "cancelled", "done")
# pending: waits its turn; sending: claimed by a worker (sent at most once); sent, delivered, read,
# replied: as the provider and the customer said; failed: with the provider's reason; skipped:
# never sent (invalid number, opted out), with the reason.
RECIPIENT_STATES = ("pending", "sending", "sent", "delivered", "read", "replied", "failed", "skipped")


class ParamSource(Shape):
    """One template parameter: a contact's field, or the same text for everyone."""

    field: Annotated[str, Field(json_schema_extra={"enum": list(CONTACT_FIELDS)})] | None = None
    value: Text(1024) | None = None

    @model_validator(mode="after")
    def _one_source(self):
        if (self.field is None) == (self.value is None):
            raise ValueError("Give either a contact field or a fixed value.")
        if self.field is not None and self.field not in CONTACT_FIELDS:
            raise ValueError(f"One of: {', '.join(CONTACT_FIELDS)}.")
        return self


class ParamMapping(Shape):
    header: list[ParamSource] = []
    body: list[ParamSource] = []
    buttons: dict[str, ParamSource] = {}


class NewCampaign(Shape):
    name: Text(100, required=True)
    account_id: Reference("accounts", "WhatsApp account", required=True)
    template_id: Reference("templates", "template", required=True)
    params: ParamMapping = ParamMapping()
    list_ids: References("contact_lists", "contact list")
    tag: Text(60) | None = None
    rate: Whole(1, MAX_RATE) = DEFAULT_RATE
    response_timeout_days: Whole(1, 30) = 1
    close_on_quick_reply: bool = False
    reply_queue_id: Reference("queues", "queue") | None = None
    # When to start, on the wall clock of `time_zone` (an IANA name); none: at once.
    start_at: Text(16, pattern=LOCAL_TIME, mismatch="Use a date and time like 2026-12-01T09:00.") | None = None
    time_zone: Text(60) = "UTC"

    @field_validator("list_ids")
    @classmethod
    def _some_list(cls, list_ids):
        if not list_ids:
            raise ValueError("Choose at least one contact list.")
        return list_ids


class CampaignAnswer(Shape):
    """A campaign as the API shows it, with how many recipients are in each state."""

    id: str
    name: str
    account_id: str
    template_id: str
    template: dict
    params: dict
    list_ids: list[str]
    tag: str | None = None
    rate: int
    response_timeout_days: int
    close_on_quick_reply: bool
    reply_queue_id: str | None = None
    state: str
    paused_because: str | None = None
    start_at: str | None = None
    time_zone: str = "UTC"
    started_at: str | None = None
    paused_at: str | None = None
    sending_at: str | None = None
    cancelled_at: str | None = None
    done_at: str | None = None
    created_at: str
    created_by: dict
    expanded: dict
    progress: dict[str, int]


class CampaignList(Shape):
    data: list[CampaignAnswer]


class RecipientAnswer(Shape):
    """One recipient: its number, state, and why it failed or was skipped."""

    id: str
    phone: str | None = None
    contact_id: str
    state: str
    reason: str | None = None
    error: dict | None = None
    provider_message_id: str | None = None
    sent_at: str | None = None


class RecipientList(Shape):
    data: list[RecipientAnswer]
    meta: dict


NUMBER_TYPED = r"^(\+?[\s().-]*\d[\d\s().-]*)?$"


class RecipientFilter(Shape):
    state: Annotated[str, Field(json_schema_extra={"enum": list(RECIPIENT_STATES)})] | None = None
    number: Text(30, pattern=NUMBER_TYPED, mismatch="Type digits of the number; start with + to match its beginning.") | None = (
        Field(None, description='Recipients whose number holds these digits; those it begins with, typed with "+".')
    )
    reason: Text(60) | None = Field(None, description="Recipients that failed with this provider error code (e.g. 131026).")
    page: Whole(1, 100_000) = 1
