"""Meta's WhatsApp message format, shared by the Meta adapter and Kaleyra (v2 and On-Prem wrap the same shapes).

Three jobs: read a webhook ``value`` ({metadata, contacts, messages | statuses}) into events,
build the ``/messages`` body from an OutboundMessage, and map Meta error codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain import provider_errors

from ._parse import (
    as_bool,
    as_dict,
    as_float,
    as_str,
    dicts,
    jsonable,
    normalize_phone,
    now_utc,
    unix_time,
)
from .errors import ProviderError
from .events import IdentityChange, InboundMessage, Location, MalformedEvent, MediaRef, Reaction, Reply, StatusUpdate
from .outbound import OutboundMessage, TemplateSpec

STATUS_MAP = {"sent": "sent", "delivered": "delivered", "read": "read", "played": "played", "failed": "failed"}
_MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")


def meta_error(code, title=None, detail=None, *, provider="meta", is_transient=False) -> ProviderError:
    code_text = as_str(code) or "unknown"
    try:
        number = int(code_text)
    except ValueError:
        number = None
    rule = provider_errors.rule_for(provider, code_text)
    if rule is not None:
        category, retryable = rule.category, rule.retryable
    elif number is not None and 132000 <= number <= 132999:
        category, retryable = "bad_request", False  # template parameter/format errors
    else:
        category, retryable = "other", False
    return ProviderError(
        code_text,
        as_str(title) or "WhatsApp error",
        as_str(detail),
        category=category,
        retryable=retryable or as_bool(is_transient),
        provider=provider,
    )


def error_from_item(item: dict, provider: str) -> ProviderError:
    """From one ``errors[]`` item of a status or message (code, title, message, error_data.details)."""
    return meta_error(
        item.get("code"),
        item.get("title") or item.get("message"),
        as_dict(item.get("error_data")).get("details") or item.get("message") or item.get("details"),
        provider=provider,
    )


def parse_error_body(body, resp=None, provider: str = "meta") -> ProviderError | None:
    """The Graph API error envelope ``{"error": {message, type, code, error_data, is_transient}}``."""
    error = as_dict(as_dict(body).get("error"))
    if not error:
        return None
    details = as_dict(error.get("error_data")).get("details")
    return meta_error(
        error.get("code"),
        error.get("error_user_title") or error.get("type") or "WhatsApp error",
        details or error.get("error_user_msg") or error.get("message"),
        provider=provider,
        is_transient=error.get("is_transient"),
    )


# -- inbound ------------------------------------------------------------------------------
def parse_value(value: dict, provider: str) -> list[InboundMessage | StatusUpdate | MalformedEvent]:
    """Events of one webhook ``value``. An item that cannot be read becomes a MalformedEvent
    (counted and logged where events are stored), so one odd message never makes the provider
    re-deliver the whole batch."""
    metadata = as_dict(value.get("metadata"))
    channel_id = as_str(metadata.get("phone_number_id"))
    business = normalize_phone(metadata.get("display_phone_number"))
    people = _people(dicts(value.get("contacts")))
    events: list[InboundMessage | StatusUpdate | MalformedEvent] = []
    for item in dicts(value.get("messages")):
        event = _message(item, provider, people, business, channel_id)
        reason = "a message needs an 'id' and a valid sender: 'from', or 'from_user_id' when the number is withheld"
        events.append(event or _malformed(item, provider, channel_id, reason))
    for item in dicts(value.get("statuses")):
        if as_str(item.get("id")) is None:
            events.append(_malformed(item, provider, channel_id, "a status needs the 'id' of the message it is about"))
            continue
        event = _status(item, provider, channel_id)
        if event is not None:
            events.append(event)
    return events


def _malformed(item: dict, provider, channel_id, reason) -> MalformedEvent:
    return MalformedEvent(provider, reason, as_str(item.get("id")), channel_id, jsonable(item))


@dataclass
class _Person:
    """One ``contacts[]`` item: who wrote, as far as WhatsApp tells."""

    name: str | None
    username: str | None
    user_id: str | None


def _people(contacts: list[dict]) -> dict:
    """The webhook's senders by their number and by their business-scoped user id (either may be absent)."""
    people = {}
    for contact in contacts:
        profile = as_dict(contact.get("profile"))
        person = _Person(as_str(profile.get("name")), as_str(profile.get("username")), as_str(contact.get("user_id")))
        for key in (as_str(contact.get("wa_id")), person.user_id):
            if key:
                people[key] = person
    return people


def _sender(m: dict, people: dict) -> tuple[str | None, _Person]:
    """(number, person) of a message's sender: ``from`` is withheld for some customers with a
    username, ``from_user_id`` (their BSUID) then names them."""
    raw_from, user_id = as_str(m.get("from")), as_str(m.get("from_user_id"))
    person = people.get(user_id) or people.get(raw_from)
    if person is None and len({id(p) for p in people.values()}) == 1:
        person = next(iter(people.values()))  # one sender per webhook: the usual case
    person = person or _Person(None, None, None)
    return normalize_phone(raw_from), _Person(person.name, person.username, user_id or person.user_id)


def _message(m: dict, provider, people, business, channel_id) -> InboundMessage | None:
    msg_id = as_str(m.get("id"))
    sender, person = _sender(m, people)
    if msg_id is None or (sender is None and person.user_id is None):
        return None
    wa_type = as_str(m.get("type")) or "unsupported"
    body = as_dict(m.get(wa_type))
    context = as_dict(m.get("context"))
    event = InboundMessage(
        provider=provider,
        provider_message_id=msg_id,
        sender=sender,
        kind="unsupported",
        timestamp=unix_time(m.get("timestamp")) or now_utc(),
        recipient=business or channel_id,
        channel_id=channel_id,
        profile_name=person.name,
        user_id=person.user_id,
        username=person.username,
        context_message_id=as_str(context.get("id")),
        forwarded=as_bool(context.get("forwarded")) or as_bool(context.get("frequently_forwarded")),
        raw=jsonable(m),
    )
    if wa_type == "text":
        event.kind, event.text = "text", as_str(body.get("body"))
    elif wa_type in _MEDIA_TYPES:
        voice = as_bool(body.get("voice"))
        event.kind = "voice" if voice else wa_type
        event.caption = as_str(body.get("caption"))
        event.media = MediaRef(
            provider_media_id=as_str(body.get("id")),
            url=as_str(body.get("url")),
            mime_type=as_str(body.get("mime_type")),
            sha256=as_str(body.get("sha256")),
            filename=as_str(body.get("filename")),
            animated=as_bool(body.get("animated")),
            voice=voice,
        )
    elif wa_type == "location":
        lat, lon = as_float(body.get("latitude")), as_float(body.get("longitude"))
        if lat is not None and lon is not None:
            event.kind = "location"
            event.location = Location(lat, lon, as_str(body.get("name")), as_str(body.get("address")), as_str(body.get("url")))
    elif wa_type == "contacts":
        event.kind, event.contacts = "contacts", [contact_card(c) for c in dicts(m.get("contacts"))]
    elif wa_type == "interactive":
        _interactive(event, body)
    elif wa_type == "button":
        event.kind = "template_reply"
        event.reply = Reply(id=as_str(body.get("payload")), title=as_str(body.get("text")), payload=as_str(body.get("payload")))
        event.text = event.reply.title
    elif wa_type == "reaction":
        event.kind = "reaction"
        event.reaction = Reaction(as_str(body.get("message_id")), as_str(body.get("emoji")))
    elif wa_type in ("edit", "revoke") and as_str(body.get("original_message_id")):
        _edit_or_revoke(event, wa_type, body)
    elif wa_type == "system" and as_str(body.get("type")) in _IDENTITY_CHANGES:
        _identity_change(event, body)
    if event.kind == "unsupported":
        errors = dicts(m.get("errors"))
        event.error = (
            error_from_item(errors[0], provider)
            if errors
            else ProviderError(wa_type, "Unsupported message type", f"WhatsApp type '{wa_type}'", provider=provider)
        )
        event.text = event.text or as_str(as_dict(m.get("system")).get("body"))
    return event


#: Meta's system messages about a customer's identity, by what changed.
_IDENTITY_CHANGES = {"user_changed_number": "number", "user_changed_user_id": "user_id"}


def _identity_change(event: InboundMessage, body: dict) -> None:
    """``system{type, body, wa_id?, user_id?, previous_user_id?}``: the new number (``wa_id``, only
    for a number change) and the new and previous business-scoped user ids."""
    event.kind, event.text = "identity_change", as_str(body.get("body"))
    event.identity = IdentityChange(
        change=_IDENTITY_CHANGES[as_str(body.get("type"))],
        phone=normalize_phone(body.get("wa_id") or body.get("new_wa_id")),
        user_id=as_str(body.get("user_id")) or event.user_id,
        previous_user_id=as_str(body.get("previous_user_id")),
    )


def _edit_or_revoke(event: InboundMessage, wa_type: str, body: dict) -> None:
    """``edit{original_message_id, message{type, text|<media>{caption}}}`` or ``revoke{original_message_id}``."""
    event.kind, event.target_message_id = wa_type, as_str(body.get("original_message_id"))
    if wa_type == "edit":
        edited = as_dict(body.get("message"))
        kind = as_str(edited.get("type")) or "text"
        content = as_dict(edited.get(kind))
        event.text = as_str(content.get("body")) if kind == "text" else None
        event.caption = as_str(content.get("caption")) if kind != "text" else None


def _interactive(event: InboundMessage, body: dict) -> None:
    kind = as_str(body.get("type"))
    if kind in ("button_reply", "list_reply"):
        reply = as_dict(body.get(kind))
        event.kind = kind
        event.reply = Reply(
            id=as_str(reply.get("id")), title=as_str(reply.get("title")), description=as_str(reply.get("description"))
        )
        event.text = event.reply.title


def contact_card(card: dict) -> dict:
    """A shared contact as {name, phones, emails, org}, the shape Parley shows in the thread."""
    name = as_dict(card.get("name"))
    formatted = as_str(name.get("formatted_name")) or " ".join(
        part for part in (as_str(name.get("first_name")), as_str(name.get("last_name"))) if part
    )
    return {
        "name": formatted or None,
        "phones": [p for p in (as_str(x.get("phone")) or as_str(x.get("wa_id")) for x in dicts(card.get("phones"))) if p],
        "emails": [e for e in (as_str(x.get("email")) for x in dicts(card.get("emails"))) if e],
        "org": as_str(as_dict(card.get("org")).get("company")),
    }


def _status(s: dict, provider: str, channel_id) -> StatusUpdate | None:
    msg_id, status = as_str(s.get("id")), STATUS_MAP.get(as_str(s.get("status")) or "")
    if msg_id is None or status is None:
        return None
    errors = dicts(s.get("errors"))
    return StatusUpdate(
        provider=provider,
        provider_message_id=msg_id,
        status=status,
        timestamp=unix_time(s.get("timestamp")) or now_utc(),
        recipient=as_str(s.get("recipient_user_id")) or normalize_phone(s.get("recipient_id")),
        channel_id=channel_id,
        error=error_from_item(errors[0], provider) if errors else None,
        client_ref=as_str(s.get("biz_opaque_callback_data")),
        pricing=pricing_of(s),
        raw=jsonable(s),
    )


def _word(value) -> str | None:
    """A lower-case identifier from the provider (a category, a pricing type), or None when it is not one."""
    text = (as_str(value) or "").strip().lower()
    return text if text and len(text) <= 40 and text.replace("_", "").isalnum() else None


def pricing_of(s: dict) -> dict | None:
    """A status's ``pricing`` (and, up to Graph v23, ``conversation``) as plain data; None without pricing.

    Since per-message pricing (July 2025) ``type`` says whether the message is charged: ``regular`` is,
    ``free_customer_service`` (inside the service window) and ``free_entry_point`` are not. Meta is
    retiring ``billable``, so it decides only when ``type`` is absent (older payloads).
    """
    pricing = as_dict(s.get("pricing"))
    if not pricing:
        return None
    kind = _word(pricing.get("type"))
    conversation = as_dict(s.get("conversation"))
    expires = unix_time(conversation.get("expiration_timestamp"))
    return {
        "billable": kind == "regular" if kind else as_bool(pricing.get("billable")),
        "pricing_model": as_str(pricing.get("pricing_model")),
        "category": _word(pricing.get("category")) or "unknown",
        "type": kind,
        "conversation_id": as_str(conversation.get("id")),
        "origin": _word(as_dict(conversation.get("origin")).get("type")),
        "expires_at": int(expires.timestamp()) if expires else None,
    }


# -- outbound -----------------------------------------------------------------------------
def build_message(msg: OutboundMessage) -> dict:
    """The Cloud API ``/messages`` body (Kaleyra v2 sends it as ``messaging_object``)."""
    kind = "audio" if msg.kind == "voice" else msg.kind
    body: dict = {"messaging_product": "whatsapp", "recipient_type": "individual", **_addressee(msg), "type": kind}
    if kind == "text":
        body["text"] = {"body": msg.text or "", "preview_url": bool(msg.preview_url)}
    elif kind in _MEDIA_TYPES:
        media = msg.media
        if media is None or not (media.media_id or media.link):
            raise ProviderError("no_media", "Attachment missing", "A media id or link is required.", category="bad_request")
        obj = {"id": media.media_id} if media.media_id else {"link": media.link}
        if media.caption and kind in ("image", "video", "document"):
            obj["caption"] = media.caption
        if media.filename and kind == "document":
            obj["filename"] = media.filename
        body[kind] = obj
    elif kind == "location":
        loc = msg.location
        if loc is None:
            raise ProviderError("no_location", "Location missing", None, category="bad_request")
        body["location"] = {"latitude": loc.latitude, "longitude": loc.longitude}
        body["location"].update({k: v for k, v in (("name", loc.name), ("address", loc.address)) if v})
    elif kind == "template":
        body["template"] = build_template(msg.template)
    elif kind == "reaction":
        if msg.reaction is None:
            raise ProviderError("no_reaction", "Reaction missing", None, category="bad_request")
        body["reaction"] = {"message_id": msg.reaction.message_id, "emoji": msg.reaction.emoji or ""}
    elif kind == "interactive":
        body["interactive"] = dict(msg.interactive or {})
    if msg.reply_to and kind != "reaction":
        body["context"] = {"message_id": msg.reply_to}
    if msg.client_ref:
        body["biz_opaque_callback_data"] = msg.client_ref
    return body


def _addressee(msg: OutboundMessage) -> dict:
    """``to`` the number; a customer whose number WhatsApp withholds is reached by ``recipient``
    (their business-scoped user id). Meta prefers the number when both are known."""
    if msg.to:
        return {"to": msg.to.lstrip("+")}
    if msg.user_id:
        return {"recipient": msg.user_id}
    raise ProviderError("no_recipient", "No recipient", "Neither a number nor a user id to send to.", category="bad_request")


def build_template(spec: TemplateSpec | None) -> dict:
    if spec is None or not spec.name:
        raise ProviderError("no_template", "Template missing", "A template name is required.", category="bad_request")
    template: dict = {"name": spec.name, "language": {"code": spec.language}}
    components = spec.components if spec.components is not None else _components(spec)
    if components:
        template["components"] = components
    return template


def _components(spec: TemplateSpec) -> list[dict]:
    components = []
    header = spec.header
    if header is not None:
        if header.type == "text":
            param = {"type": "text", "text": header.text or ""}
        else:
            media = {"id": header.media_id} if header.media_id else {"link": header.link}
            if header.filename and header.type == "document":
                media["filename"] = header.filename
            param = {"type": header.type, header.type: media}
        components.append({"type": "header", "parameters": [param]})
    params = [p if isinstance(p, dict) else {"type": "text", "text": str(p)} for p in spec.body_params]
    params += [{"type": "text", "parameter_name": k, "text": v} for k, v in spec.named_params.items()]
    if params:
        components.append({"type": "body", "parameters": params})
    for button in spec.buttons:
        if button.sub_type == "url":
            param = {"type": "text", "text": button.text or ""}
        else:
            param = {"type": "payload", "payload": button.payload or ""}
        components.append({"type": "button", "sub_type": button.sub_type, "index": str(button.index), "parameters": [param]})
    return components


def message_id_from_response(data: dict) -> str | None:
    messages = dicts(data.get("messages"))
    return as_str(messages[0].get("id")) if messages else None
