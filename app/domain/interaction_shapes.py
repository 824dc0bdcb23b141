"""The shapes of what the interaction routes take: the list's filters, a message to send, a new
conversation, and the bodies of the actions. The services check each value as the conversation
needs (app/services/outbound, new_conversation, lifecycle); these shapes are what clients send."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.domain.fields import OBJECT_ID
from app.domain.shapes import PageMeta

Id = Annotated[str, Field(pattern=OBJECT_ID)]
MESSAGE_KINDS = ("text", "image", "audio", "voice", "video", "document", "sticker", "location", "template", "reaction")
STATUSES = ("queued", "open", "closed", "reopened")
SORTS = {"start": "created_at", "last_message": "last_message.at", "window": "window_expires_at"}
MAX_MESSAGE_PAGE = 200


def _query(description, **limits):
    return Field(None, description=description, **limits)


class Body(BaseModel):
    model_config = ConfigDict(extra="allow")


class InteractionFilters(BaseModel):
    status: Literal[STATUSES] | None = _query("queued, open, closed or reopened")
    account_id: Id | None = _query("Only this WhatsApp account.")
    agent_id: Id | None = _query("Assigned to this agent.")
    first_agent_id: Id | None = _query("First managed by this agent.")
    tag: str | None = _query("Has this tag.")
    tags: list[str] | None = _query("Has all these tags (repeat the parameter).")
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
    after_seq: int | None = _query("Last sequence seen.", ge=0)


class NewMessage(Body):
    """A message: text, media (file_id), location, template, reaction, reply_to, internal note."""

    kind: Literal[MESSAGE_KINDS] = "text"
    text: str | None = None
    client_id: str | None = Field(None, description="The sender's own id, to recognise the message when it comes back.")
    reply_to: str | None = None
    internal: bool = Field(False, description="An internal note: agents see it, the customer never does.")
    caption: str | None = None
    media: dict | None = None
    location: dict | None = None
    template_id: Id | None = None
    params: dict | None = None
    reaction: dict | None = None
    preview_url: bool | None = None


class NewConversation(Body):
    """An outbound conversation: account_id, phone, and template_id with params, or text."""

    account_id: Id
    phone: str
    name: str | None = None
    template_id: Id | None = None
    params: dict | None = None
    text: str | None = None
    client_id: str | None = None


class Labels(Body):
    disposition: str | None = None
    tags: list[str] | None = None


class Transfer(Body):
    agent_id: Id | None = None
    queue_id: Id | None = None


class ReadUpTo(Body):
    position: int | None = Field(None, ge=0, description="Up to the message at this position; all of it without.")


class ContactCard(Body):
    card: int = Field(0, description="Which card of the message, from 0.")


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


class ContactAdded(BaseModel):
    contact: dict


class RecontactTemplate(BaseModel):
    template: dict
