"""The shapes of what the interaction routes take: the list's filters, a message to send, a new
conversation, and the bodies of the actions. The services read every input through these shapes
(app/services/setup/records.checked), so the limits the document publishes are the ones enforced;
what needs the database or other fields (a template's parameters, the window, the provider's
capabilities) the services check after."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.domain.fields import OBJECT_ID
from app.domain.interactive import Interactive
from app.domain.shapes import PageMeta

Id = Annotated[str, Field(pattern=OBJECT_ID)]
AnyCaseId = Annotated[str, Field(pattern="^[0-9a-fA-F]{24}$")]  # as ObjectId reads it
CLIENT_ID = "^[A-Za-z0-9_-]{8,64}$"
TEXT_MAX = 4096
MESSAGE_KINDS = (
    "text", "image", "audio", "voice", "video", "document", "sticker", "location", "template", "reaction", "interactive",
)
STATUSES = ("queued", "open", "closed", "reopened", "bot")  # bot: the AI assistant answers it
SORTS = {"start": "created_at", "last_message": "last_message.at", "window": "window_expires_at"}
MAX_MESSAGE_PAGE = 200


def _query(description, **limits):
    return Field(None, description=description, **limits)


class Body(BaseModel):
    model_config = ConfigDict(extra="allow")


class InteractionFilters(BaseModel):
    status: Literal[STATUSES] | None = _query("queued, open, closed, reopened or bot (handled by the AI assistant)")
    account_id: AnyCaseId | None = _query("Only this WhatsApp account.")
    agent_id: AnyCaseId | None = _query("Assigned to this agent.")
    first_agent_id: AnyCaseId | None = _query("First managed by this agent.")
    contact_id: AnyCaseId | None = _query("One contact's interactions (a customer WhatsApp names without a number too).")
    tag: str | None = _query("Has this tag.", max_length=60)
    tags: list[Annotated[str, Field(max_length=60)]] | None = _query("Has all these tags (repeat the parameter).", max_length=50)
    read: bool | None = _query("true: read; false: with unread customer messages.")
    start_from: str | None = _query("Started on or after (ISO date or date-time).")
    start_to: str | None = _query("Started before the end of (ISO date or date-time).")
    q: str | None = _query("Contact name, phone number or a word of a message.")
    window_closing_within: int | None = _query("Open, with the 24 h window closing within N hours.", ge=1, le=24)
    sort: Literal[(*SORTS, *(f"-{key}" for key in SORTS))] | None = _query(
        "start, last_message or window; prefix - for descending."
    )
    page: int | None = _query("From 1.", ge=1, le=1000)
    per_page: int | None = _query("At most 100.", ge=1, le=100)


class MessagePage(BaseModel):
    before: int | None = _query("Messages before this position.", ge=0)
    limit: int | None = _query(f"At most {MAX_MESSAGE_PAGE}.", ge=1, le=MAX_MESSAGE_PAGE)


class EventsAfter(BaseModel):
    after_seq: int | None = _query("Last sequence seen.", ge=0, le=2**63 - 1)  # what MongoDB can compare


ClientId = Annotated[
    str | None, Field(None, pattern=CLIENT_ID, description="The sender's own id, to recognise the message when it comes back.")
]


class Media(Body):
    file_id: str = Field(description="The id the upload answered.")


class Location(Body):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    name: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=300)


class Reaction(Body):
    message_id: str
    emoji: str | None = Field("", max_length=16, description="One emoji; empty removes the reaction.")


class NewMessage(Body):
    """A message: text, media (file_id), location, template, reaction, interactive, reply_to, internal note."""

    kind: Literal[MESSAGE_KINDS] | None = "text"
    text: str | None = Field(None, max_length=TEXT_MAX)
    client_id: ClientId = None
    reply_to: str | None = None
    internal: bool | None = Field(False, description="An internal note: agents see it, the customer never does.")
    caption: str | None = Field(None, max_length=1024)
    media: Media | None = None
    location: Location | None = None
    template_id: AnyCaseId | None = None
    params: dict | None = None
    reaction: Reaction | None = None
    interactive: Interactive | None = Field(None, description="Reply buttons, a list or a URL button (kind interactive).")
    preview_url: bool | None = None


class NewConversation(Body):
    """An outbound conversation: account_id, phone, and template_id with params, or text."""

    account_id: AnyCaseId
    phone: str = Field(max_length=40)
    name: str | None = Field(None, max_length=100)
    template_id: AnyCaseId | None = None
    params: dict | None = None
    text: str | None = Field(None, max_length=TEXT_MAX)
    client_id: ClientId = None


class Labels(Body):
    disposition: str | None = Field(None, max_length=60)
    tags: list[Annotated[str, Field(max_length=60)]] | None = Field(None, max_length=50)


class Transfer(Body):
    agent_id: AnyCaseId | None = None
    queue_id: AnyCaseId | None = None


class Assignment(Body):
    agent_id: AnyCaseId = Field(description="An active agent of the interaction's queue.")


class ReadUpTo(Body):
    position: int | None = Field(None, ge=0, description="Up to the message at this position; all of it without.")


class ContactCard(Body):
    card: int | None = Field(0, ge=0, description="Which card of the message, from 0.")


class TemplateParams(Body):
    params: dict | None = None


# -- answers: the fields clients rely on; documents carry more, and every timestamp has its zone --
class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


Moment = datetime | None


class Interaction(Answer):
    id: Id
    status: str
    account_id: Id
    contact_id: Id
    queue_id: Id | None = None
    created_at: datetime
    updated_at: Moment = None
    accepted_at: Moment = None
    closed_at: Moment = None
    reopened_at: Moment = None
    window_expires_at: Moment = None
    last_inbound_at: Moment = None
    first_response_at: Moment = None
    all_rejected_at: Moment = None
    awaiting_reply_since: Moment = Field(None, description="The customer's earliest message no agent has answered yet.")
    sla_breached_at: Moment = Field(
        None, description="When that wait passed the queue's first-response target (until an agent answers)."
    )
    queued_at: Moment = Field(None, description="When it last went back to its queue.")


class Message(Answer):
    id: str
    kind: str
    status: str | None = None
    created_at: Moment = None
    status_at: Moment = None


class ListedInteraction(Interaction):
    contact_waiting: int = Field(description="Other open interactions of the same contact waiting.")


class InteractionList(BaseModel):
    data: list[ListedInteraction]
    meta: PageMeta


class InteractionAnswer(BaseModel):
    interaction: Interaction


class InteractionDetail(InteractionAnswer):
    messages: list[Message]
    paging: dict


class Started(InteractionAnswer):
    message: Message
    warnings: list[str]


class Sent(BaseModel):
    message: Message
    warnings: list[str] = []


class Events(BaseModel):
    events: list[dict]
    seq: int
    complete: bool = Field(
        description="False when events after after_seq are no longer kept (too far behind, or the log expired): "
        "reload the conversation and its interaction instead of applying `events`."
    )


class ContactAdded(BaseModel):
    contact: dict


class RecontactTemplate(BaseModel):
    template: dict
