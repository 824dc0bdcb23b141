"""The shape of every configuration record Parley takes in: one definition per input, which the
services check with (app/services/records.Fields), the forms take their limits from, and the
OpenAPI document describes. Rules that need the database or another field stay in the services.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.domain.fields import STRICT, Checked, Choice, Reference, References, Text, TextList, Whole

# The adapters' names (app.providers.registry.PROVIDERS; the domain imports nothing of the app, a
# test keeps the two equal).
PROVIDER_NAMES = ("meta", "kaleyra", "twilio", "sinch", "sandbox")
MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
READ_RECEIPTS = ("on_view", "on_reply", "never")
ROLES = ("admin", "agent")
CATEGORIES = ("marketing", "utility", "authentication")
HEADER_FORMATS = ("TEXT", "IMAGE", "VIDEO", "DOCUMENT")
BUTTON_TYPES = ("QUICK_REPLY", "URL", "PHONE_NUMBER")
SCOPES = {"full": "Full access", "read": "Read only"}
DEFAULT_COLOUR = "#0f766e"
DEFAULT_MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024


class Shape(BaseModel):
    """An input: strict types (no "1" for 1), unknown fields refused."""

    model_config = STRICT


class PageMeta(BaseModel):
    """Where one page of a list stands."""

    page: int
    per_page: int
    total: int
    pages: int


# -- accounts ---------------------------------------------------------------------------------
# "no_agents_online" (outside agents' hours): only while none of the account queue's agents is online.
ASSISTANT_RUNS = ("always", "no_agents_online", "never")
DEFAULT_HANDOFF_MESSAGE = "Thank you. An agent will continue this conversation shortly."
#: A number's messaging throughput in messages a second: Meta's standard tier, and the highest tier's.
DEFAULT_RATE, MAX_RATE = 80, 1000


class Chatbot(Shape):
    """The account's AI assistant: any OpenAI-compatible Chat Completions endpoint."""

    enabled: bool = False
    endpoint: Text(500) = Field("", description="Base URL of the Chat Completions API, e.g. https://api.openai.com/v1.")
    model: Text(100) = ""
    api_key: Text(500) = Field(
        "", json_schema_extra={"writeOnly": True}, description="Encrypted at rest, never shown again; empty keeps the stored key."
    )
    instructions: Text(4000) = ""
    knowledge: Text(20000) = Field("", description="Facts and canned answers the assistant may use.")
    max_turns: Whole(minimum=1, maximum=50) = 5
    max_tokens: Whole(minimum=100, maximum=1_000_000) = 8000
    runs: Choice(ASSISTANT_RUNS) = "always"
    handoff_message: Text(1000) = DEFAULT_HANDOFF_MESSAGE


class AccountSettings(Shape):
    max_attachment_bytes: Whole(minimum=1024) = DEFAULT_MAX_ATTACHMENT_BYTES
    allowed_attachment_types: TextList(len(MEDIA_TYPES), choices=MEDIA_TYPES) = list(MEDIA_TYPES)
    recontact_template_id: Reference("templates", "template") = None
    close_on_quick_reply: bool = False
    allow_transfer: bool = True
    zip_attachments: bool = True
    read_receipts: Choice(READ_RECEIPTS) = "on_view"
    messages_per_second: Whole(1, MAX_RATE) = Field(
        DEFAULT_RATE, description="The number's throughput tier: no campaign of this account sends faster."
    )
    chatbot: Chatbot = Chatbot()


class Account(Shape):
    provider: Choice(PROVIDER_NAMES)
    name: Text(100, required=True)
    phone: Text(40, required=True)
    queue_id: Reference("queues", "queue") = None
    contact_list_id: Reference("contact_lists", "contact list") = None
    api_base: Text(300) = ""
    credentials: Checked(dict[str, str]) = Field(description="The provider's credential fields; secrets are write-only.")
    settings: AccountSettings = AccountSettings()


CREDENTIAL = Text(2000)


class AssistantTrial(Shape):
    """A sample customer message for the account's assistant (the admin's "Test" box)."""

    message: Text(4096, required=True)


class AssistantTrialAnswer(BaseModel):
    ok: bool
    answer: str | None = Field(None, description="The model's answer, when ok.")
    handoff: str | None = Field(None, description="The reason, when the model called handoff_to_agent.")
    tokens: int | None = None
    error: str | None = Field(None, description="The endpoint's exact error, when not ok.")


class AccountAnswer(BaseModel):
    """What an account's answers add to its input."""

    webhook_key: str
    webhook_url: str
    secrets_set: list[str]
    assistant_key_set: bool = Field(description="Whether the AI assistant's API key (write-only) is stored.")
    status: Literal["active", "needs_reauth"]
    auth_error: dict = Field(description="Why the provider refused the account's credentials.")


# -- queues, users, labels, canned answers -----------------------------------------------------
#: The longest wait a queue's inactivity and first-response rules take, in minutes (the 24-hour window).
RULE_MINUTES_MAX = 24 * 60
DEFAULT_NUDGE = "Are you still there? This conversation will close soon if we don't hear from you."


class Routing(Shape):
    """How the queue's interactions reach agents."""

    first_response_minutes: Whole(1, RULE_MINUTES_MAX) | None = Field(
        None,
        description="Target for an agent's answer: an assigned interaction whose customer has waited this long is "
        "flagged to admins. Empty: no target.",
    )


class Inactivity(Shape):
    """Closing conversations the customer has left; off while customer_idle_minutes is empty."""

    customer_idle_minutes: Whole(1, RULE_MINUTES_MAX) | None = Field(
        None, description="Minutes without a customer message (after the business wrote last) before the nudge. Empty: off."
    )
    nudge_text: Text(1000) = Field(
        "", description="Sent once inside the 24-hour window. Empty: no nudge, the interaction closes at customer_idle_minutes."
    )
    close_after_nudge_minutes: Whole(1, RULE_MINUTES_MAX) = Field(
        15, description="Minutes after the nudge, with no customer message, before the interaction closes as Timeout."
    )


class Queue(Shape):
    name: Text(80, required=True)
    description: Text(500) = ""
    agent_ids: References("users", "agent") = []
    routing: Routing = Routing()
    inactivity: Inactivity = Inactivity()


class User(Shape):
    name: Text(100, required=True)
    email: Text(254, required=True)
    role: Choice(ROLES) = "agent"
    active: bool = True
    password: Text(256) = Field(
        json_schema_extra={"writeOnly": True}, description="Required on create; empty on a change keeps the current one."
    )


class Disposition(Shape):
    name: Text(60, required=True)
    description: Text(300) = ""


class Tag(Disposition):
    colour: Text(7, pattern="^#[0-9a-fA-F]{6}$", mismatch="Use a colour like #0f766e.") = DEFAULT_COLOUR


class CannedAnswer(Shape):
    title: Text(100, required=True)
    text: Text(4096, required=True)
    queue_ids: References("queues", "queue") = []


class Token(Shape):
    name: Text(80, required=True)
    scope: Choice(tuple(SCOPES)) = "full"


# -- contacts ---------------------------------------------------------------------------------
class ContactList(Shape):
    name: Text(80, required=True)
    description: Text(300) = ""


class ContactChange(Shape):
    """A contact's fields that may change; the list is chosen once, on create."""

    first_name: Text(80) = ""
    last_name: Text(80) = ""
    company: Text(120) = ""
    notes: Text(4000) = ""
    phone: Text(40) = ""
    mobile: Text(40) = ""
    email: Text(254) = ""
    tags: TextList(30, 60) = []


class Contact(ContactChange):
    list_id: Reference("contact_lists", "contact list", required=True)


class ContactAnswer(BaseModel):
    whatsapp_name: str
    source: str


# -- templates --------------------------------------------------------------------------------
class TemplateButton(BaseModel):
    type: Literal[BUTTON_TYPES]
    text: Annotated[str, Field(max_length=25)]
    url: Annotated[str, Field(max_length=2000)] | None = None
    phone_number: str | None = None


class HeaderComponent(BaseModel):
    type: Literal["HEADER"]
    format: Literal[HEADER_FORMATS]
    text: Annotated[str, Field(max_length=60, description="TEXT headers; at most one {{1}} parameter.")] | None = None
    media_file_id: str | None = None
    example: dict | None = None


class BodyComponent(BaseModel):
    type: Literal["BODY"]
    text: Annotated[str, Field(max_length=1024, description="Parameters {{1}}, {{2}}, … in sequence.")]
    example: dict | None = None


class FooterComponent(BaseModel):
    type: Literal["FOOTER"]
    text: Annotated[str, Field(max_length=60)]


class ButtonsComponent(BaseModel):
    type: Literal["BUTTONS"]
    buttons: Annotated[list[TemplateButton], Field(min_length=1, max_length=10)]


TemplateComponent = Annotated[HeaderComponent | BodyComponent | FooterComponent | ButtonsComponent, Field(discriminator="type")]


class TemplateChange(Shape):
    name: Text(
        512,
        required=True,
        pattern="^[a-z0-9_]{1,512}$",
        mismatch="Use lowercase letters, digits and underscores only, as WhatsApp requires.",
    )
    language: Text(
        10, required=True, pattern="^[a-z]{2,3}(_[A-Z]{2})?$", mismatch="Use a language code such as en, en_US or pt_BR."
    ) = "en_US"
    category: Choice(CATEGORIES) = "utility"
    available_for_agents: bool = False
    recontact: bool = False
    components: Checked(list[TemplateComponent]) = Field(
        description="WhatsApp template components: HEADER, BODY, FOOTER, BUTTONS, each at most once."
    )


class Template(TemplateChange):
    account_id: Reference("accounts", "account", required=True)


class TemplateAnswer(BaseModel):
    status: str
    provider_template_id: str | None
