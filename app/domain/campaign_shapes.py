"""What an admin gives to create a campaign, and the states a campaign and a recipient go through."""

from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from app.domain.fields import Reference, References, Text, Whole
from app.domain.shapes import DEFAULT_RATE, MAX_RATE, Shape

#: The contact fields a template parameter can take its value from.
CONTACT_FIELDS = ("first_name", "last_name", "company", "phone", "mobile", "email")
LOCAL_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"
#: The largest CSV of contacts a campaign takes (the contact lists' import takes the same).
CSV_MAX_BYTES = 5 * 1024 * 1024

# preparing: its job is expanding its recipients; then scheduled (waits for its time) or sending.
CAMPAIGN_STATES = ("preparing", "scheduled", "sending", "paused", "cancelled", "done")
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
    list_ids: References("contact_lists", "contact list") = Field(
        [], description="At least one, unless contacts_csv gives the recipients."
    )
    tag: Text(60) | None = None
    contacts_csv: Text(CSV_MAX_BYTES) | None = Field(
        None,
        description="Contacts as CSV text (the columns of a contact list's import), created first into a new contact list "
        "named after the campaign, which is sent with the lists. A line that cannot be imported refuses the whole "
        "campaign, naming the line; a number on several lines is one contact, its later lines' cells winning.",
    )
    rate: Whole(1, MAX_RATE) | None = Field(
        None, description=f"Messages a second, at most the number's tier; default: the tier, at most {DEFAULT_RATE}."
    )
    response_timeout_days: Whole(1, 30) = 1
    close_on_quick_reply: bool = False
    reply_queue_id: Reference("queues", "queue") | None = None
    # When to start, on the wall clock of `time_zone` (an IANA name); none: at once.
    start_at: Text(16, pattern=LOCAL_TIME, mismatch="Use a date and time like 2026-12-01T09:00.") | None = None
    time_zone: Text(60) = "UTC"


class CampaignPreview(Shape):
    """What a preview of a new campaign reads: the body of a create (its other fields are ignored)
    and, optionally, the number of the contact to show it for."""

    account_id: Reference("accounts", "WhatsApp account", required=True)
    template_id: Reference("templates", "template", required=True)
    params: ParamMapping = ParamMapping()
    list_ids: References("contact_lists", "contact list") = []
    tag: Text(60) | None = None
    sample_phone: Text(40) | None = Field(
        None, description="Show it for the contact with this number; default: the first the campaign would send to."
    )


class PreviewAnswer(BaseModel):
    """A new campaign's message as its sample contact would receive it. Texts are segments: a missing
    one is a parameter with no value for this contact (or no source at all), shown as a placeholder."""

    template: dict = Field(description="id, name, language, and how many header_params and body_params it takes.")
    sample: dict | None = Field(None, description="The contact shown: id, name, phone; none when there is none yet.")
    message: dict | None = Field(
        None, description="header ({type, segments} or {type, link, file_id}), body (segments), footer, buttons ({type, text})."
    )
    notes: list[str] = Field(description="What the admin should know: why this contact would be skipped, whom to pick.")
    problems: dict[str, str] = Field(description="What a create would refuse, by field (as its 422 would say).")


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
    expanded: dict | None = None  # once its job expanded the recipients
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
