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
# "no_agents_online" (outside agents' hours): only while none of the account queue's agents is online;
# "out_of_hours": only the conversations its queue hands it outside business hours (Queue.hours).
ASSISTANT_RUNS = ("always", "no_agents_online", "out_of_hours", "never")
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
    closing_reply_ids: TextList(50, 256) = Field(
        [], description="Choosing one of these ids from an agent's interactive message closes the interaction."
    )
    reply_routes: Checked(list[dict]) = Field(
        [], description="[{id, queue_id}]: choosing that id while the interaction waits or the assistant has it moves it there."
    )
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
# How a queue offers its waiting interactions: to every available agent at once (ring_all), or to
# one at a time, chosen by round_robin (the next after the last one offered), least_recent (the one
# assigned longest ago) or fewest_open (the one holding the fewest open conversations).
STRATEGIES = ("ring_all", "round_robin", "least_recent", "fewest_open")
STRATEGY_LABELS = {
    "ring_all": "Ring all: offer to every available agent at once",
    "round_robin": "Round robin: one agent at a time, taking turns",
    "least_recent": "Least recent: the agent assigned longest ago",
    "fewest_open": "Fewest open: the agent holding the fewest conversations",
}
DEFAULT_OFFER_TIMEOUT = 30


class QueueRouting(Shape):
    strategy: Choice(STRATEGIES) = "ring_all"
    offer_timeout_seconds: Whole(5, 600) = Field(
        DEFAULT_OFFER_TIMEOUT, description="One-at-a-time strategies: seconds an agent has to accept before the next one gets it."
    )
    priority: Whole(0, 10) = Field(
        0, description="Agents in several queues are offered the highest priority's waiting interactions first."
    )
    max_open_per_agent: Whole(1, 100) | None = Field(
        None, description="Open conversations an agent of this queue may hold at once (empty: no limit); an agent's own wins."
    )
    first_response_minutes: Whole(1, 1440) | None = Field(
        None, description="The service-level target: minutes within which a waiting customer gets an agent's first answer."
    )


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CLOCK_TIME = "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"
DEFAULT_RECEIVED = "Thanks, we received your message. An agent will be with you shortly."
DEFAULT_POSITION = "You are number {position} in the queue. Estimated wait: {wait}."
DEFAULT_NO_AGENTS = "No agent is available right now. We will answer as soon as one is."


class OpeningInterval(BaseModel):
    """One opening of a day, on the queue's wall clock: from `start` up to (not including) `end`."""

    start: Annotated[str, Field(pattern=CLOCK_TIME, description="HH:MM.")]
    end: Annotated[str, Field(pattern=CLOCK_TIME, description="HH:MM, after start; 24:00 is midnight at the day's end.")]


class Holiday(BaseModel):
    date: Annotated[str, Field(pattern="^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description="YYYY-MM-DD, in the queue's time zone.")]
    name: Annotated[str, Field(max_length=100)] = ""


# A day's openings: the service checks them (times, start before end, no overlaps).
DayOpenings = Checked(list[OpeningInterval])


class WeeklySchedule(Shape):
    monday: DayOpenings = []
    tuesday: DayOpenings = []
    wednesday: DayOpenings = []
    thursday: DayOpenings = []
    friday: DayOpenings = []
    saturday: DayOpenings = []
    sunday: DayOpenings = []


class BusinessHours(Shape):
    """When the queue's agents are offered conversations; outside them interactions wait for the next opening."""

    enabled: bool = Field(False, description="Off: the queue is always open.")
    timezone: Text(60) = Field("UTC", description="IANA time zone of the schedule and holidays, e.g. Europe/Rome.")
    weekly: WeeklySchedule = WeeklySchedule()
    holidays: Checked(list[Holiday]) = Field([], description="Whole days closed (at most 366).")
    out_of_hours_message: Text(1000) = Field("", description="Sent to a customer who writes while the queue is closed.")
    out_of_hours_to_bot: bool = Field(
        False, description="Outside hours, new conversations go to the account's AI assistant where it is configured."
    )


class ReceivedMessage(Shape):
    enabled: bool = False
    text: Text(1000) = DEFAULT_RECEIVED


class PositionMessage(Shape):
    enabled: bool = False
    text: Text(1000) = Field(DEFAULT_POSITION, description="Placeholders: {position} and {wait}.")


class NoAgentsMessage(Shape):
    enabled: bool = False
    text: Text(1000) = DEFAULT_NO_AGENTS


class WaitingMessages(Shape):
    """Automatic messages to a customer waiting in the queue, inside the service window only."""

    received: ReceivedMessage = ReceivedMessage()
    position: PositionMessage = PositionMessage()
    no_agents: NoAgentsMessage = NoAgentsMessage()
    every_minutes: Whole(1, 1440) = Field(
        5, description="A customer gets at most one automatic message (out-of-hours reply included) in this many minutes."
    )


#: The longest wait a queue's inactivity and first-response rules take, in minutes (the 24-hour window).
RULE_MINUTES_MAX = 24 * 60
DEFAULT_NUDGE = "Are you still there? This conversation will close soon if we don't hear from you."


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
    routing: QueueRouting = QueueRouting()
    hours: BusinessHours = BusinessHours()
    waiting_messages: WaitingMessages = WaitingMessages()
    inactivity: Inactivity = Inactivity()


class User(Shape):
    name: Text(100, required=True)
    email: Text(254, required=True)
    role: Choice(ROLES) = "agent"
    active: bool = True
    max_open: Whole(1, 100) | None = Field(
        None, description="Open conversations this agent may hold at once; empty: their queue's limit."
    )
    password: Text(256) = Field(
        json_schema_extra={"writeOnly": True}, description="Required on create; empty on a change keeps the current one."
    )


class Disposition(Shape):
    name: Text(60, required=True)
    description: Text(300) = ""


class PauseReason(Shape):
    """Why an agent is Paused (break, lunch, training…): admins keep the list, agents pick from it."""

    name: Text(40, required=True)
    description: Text(300) = ""


PRESENCE_STATES = ("online", "paused", "offline")


class PresenceChange(Shape):
    """The signed-in user's own presence: Paused needs one of the pause reasons."""

    state: Choice(PRESENCE_STATES)
    reason: Text(40) = ""


class Presence(BaseModel):
    state: Literal[PRESENCE_STATES]
    reason: str | None = None
    since: str | None = Field(None, description="When this state began (ISO 8601).")
    label: str = Field(description='How it reads: "Online", "Paused · Lunch"…')
    reasons: list[str] = Field(description="The pause reasons to choose from.")


class Tag(Disposition):
    colour: Text(7, pattern="^#[0-9a-fA-F]{6}$", mismatch="Use a colour like #0f766e.") = DEFAULT_COLOUR


class CannedAnswer(Shape):
    title: Text(100, required=True)
    text: Text(4096, required=True)
    queue_ids: References("queues", "queue") = []
    buttons: Checked(list[dict]) = Field(
        [], description="Optional reply buttons [{id, title}] (up to 3): the desktop sends the answer as an interactive message."
    )


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
