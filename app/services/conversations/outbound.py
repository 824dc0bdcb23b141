"""Agent → customer messages: checked, stored as `queued` in the interaction, then sent by a job.

Stored first so nothing is lost: the job (services/conversations/delivery.py) sends it, retries what can be
retried and marks the rest failed with the provider's reason. A client-generated id makes a
browser's retry on a bad connection return the same message instead of sending twice.
"""

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from app import jobs
from app.db import get_db
from app.domain import interactive
from app.domain import messages as msgs
from app.domain.interaction_shapes import TEXT_MAX, NewMessage
from app.domain.messages import with_position
from app.domain.window import is_open as window_is_open
from app.services import clock
from app.services.access.access_rules import as_oid, load_visible, require_owner, require_text
from app.services.channel.provider_access import capabilities
from app.services.conversations import interactive_messages, lifecycle, live, message_store, reconcile, routing
from app.services.conversations.delivery import enqueue_delivery, read_receipts_when
from app.services.conversations.locations import check_location
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.serialize import plain
from app.services.setup.records import checked
from app.services.setup.template_rendering import prepare

MEDIA_KINDS = ("image", "audio", "voice", "video", "document", "sticker")
WINDOW_WARNING = "The 24-hour window is closed: the provider will probably refuse this message. Send the recontact template."
# The sentences the message's fields had before their shape checked them, still what clients see.
SAYS = {
    "client_id": "8 to 64 letters, digits, - or _.",
    "kind": "Unknown kind.",
    "media": "Upload the file, then send its file_id.",
    "location.latitude": "Latitude ±90, longitude ±180.",
    "location.longitude": "Latitude ±90, longitude ±180.",
    "reaction.message_id": "message_id is required.",
    "reaction.emoji": "One emoji, or empty to remove.",
    "interactive": interactive.say,
}


def read_message(payload):
    """The message as its shape reads it (types and limits); 422 naming each refused field."""
    return checked(NewMessage, payload, "Check the message.", say=SAYS)


def _capability_error(account, what):
    return ValidationFailed(
        f"{what} is not possible with {account['provider']} accounts.", {"kind": "Not supported by this provider."}
    )


def compose(actor, interaction_id, payload):
    """Store one outbound message and queue its sending. Returns (message, warnings)."""
    payload = read_message(payload)
    if payload.internal:
        return lifecycle.add_note(actor, interaction_id, payload.text, payload.client_id), []
    interaction = load_visible(actor, interaction_id, {"search_terms": 0})
    if not interaction.get("is_open"):
        raise Conflict("This interaction is closed: reopen it to write again.")
    require_owner(actor, interaction)
    account = get_db().accounts.find_one({"_id": interaction["account_id"]})
    if account is None:
        raise NotFound("The interaction's WhatsApp account no longer exists.")
    message = _build(actor, interaction, account, payload)
    warnings = []
    if message["kind"] not in ("template", "reaction") and not window_is_open(interaction, clock.now()):
        warnings.append(WINDOW_WARNING)
    queued = queue_message(interaction, message, account)
    if message["author"] == "agent" and read_receipts_when(account, "reply"):
        jobs.enqueue(jobs.SEND_READ_RECEIPT, interaction_id=str(interaction["_id"]))
    return queued, warnings


def _build(actor, interaction, account, payload):
    kind = payload.kind or "text"
    caps = capabilities(account)
    message = {
        "id": payload.client_id or msgs.new_id(),
        "direction": "out",
        "author": "agent",
        "kind": kind,
        "status": "queued",
        "status_rank": msgs.STATUS_RANK["queued"],
        "at": clock.now(),
        "reactions": {},
        "agent": {"id": str(actor["_id"]), "name": actor["name"]},
    }
    if not (interaction.get("contact") or {}).get("phone") and "user_id_recipient" not in caps:
        raise _capability_error(account, "Answering a customer known only by a WhatsApp user id")
    if kind == "text":
        message["text"] = require_text(payload.text, "text", TEXT_MAX)
        message["preview_url"] = bool(payload.preview_url)
    elif kind in MEDIA_KINDS:
        message["media"] = _media(payload.media, kind, account)
        if payload.caption and payload.caption.strip():
            message["caption"] = payload.caption.strip()
    elif kind == "location":
        message["location"] = check_location(payload.location)
    elif kind == "template":
        if "templates" not in caps:
            raise _capability_error(account, "Sending templates")
        message["template"] = _template(actor, interaction, account, payload)
    elif kind == "reaction":
        if "reactions" not in caps:
            raise _capability_error(account, "Sending reactions")
        message.update(_reaction(interaction, payload.reaction))
    elif kind == "interactive":
        message["interactive"] = interactive_messages.checked_content(account, interaction, payload.interactive)
    if payload.reply_to:
        if "quote_reply" not in caps:
            raise _capability_error(account, "Quoting a message")
        message["reply_to"] = _quoted(interaction, payload.reply_to)
    return message


def _media(media, kind, account):
    if media is None:
        raise ValidationFailed("Attach a file first.", {"media": "Upload the file, then send its file_id."})
    try:
        stored = get_db().media.files.find_one({"_id": ObjectId(media.file_id)})
    except Exception:
        stored = None
    if stored is None or (stored.get("metadata") or {}).get("account_id") not in (None, str(account["_id"])):
        raise ValidationFailed("Unknown attachment.", {"media": "Upload the file again."})
    return {
        "file_id": media.file_id,
        "mime_type": (stored.get("metadata") or {}).get("content_type"),
        "filename": stored.get("filename"),
        "size": stored.get("length"),
        "state": "ready",
        "voice": kind == "voice",
    }


def _template(actor, interaction, account, payload, recontact=False):
    template = get_db().templates.find_one({"_id": as_oid(payload.template_id, "template"), "account_id": account["_id"]})
    if template is None:
        raise NotFound("No such template on this interaction's account.")
    if not recontact and actor["role"] != "admin" and not template.get("available_for_agents"):
        raise ValidationFailed("This template is not available for agents.", {"template_id": "Not available for agents."})
    rendered, spec = prepare(template, payload.params)
    return {
        "id": str(template["_id"]),
        "name": template["name"],
        "language": template["language"],
        "rendered": rendered,
        "spec": spec,
    }


def _reaction(interaction, reaction):
    if reaction is None:
        raise ValidationFailed("A reaction needs the message it reacts to.", {"reaction": "message_id is required."})
    emoji = reaction.emoji or ""
    target = _find_message(interaction["_id"], reaction.message_id)
    if not target.get("provider_message_id"):
        raise Conflict("That message has not reached WhatsApp yet; react once it has.")
    return {
        "hidden": True,
        "reaction": {"message_id": target["id"], "provider_message_id": target["provider_message_id"], "emoji": emoji},
    }


def _quoted(interaction, message_id):
    target = _find_message(interaction["_id"], message_id)
    if not target.get("provider_message_id"):
        raise Conflict("That message cannot be quoted yet.")
    return target["provider_message_id"]


def _find_message(interaction_id, message_id):
    if not isinstance(message_id, str):
        raise ValidationFailed("Give the message id.", {"message_id": "Required."})
    doc = message_store.get(interaction_id, message_id)
    if doc is None:
        raise NotFound("No such message in this interaction.")
    return message_store.public(doc)


def queue_message(interaction, message, account):
    """Append the message (unless the client already sent it) and enqueue its delivery."""
    changes = {"updated_at": clock.now()}
    if not message.get("hidden"):
        changes.update(last_message=msgs.summary(message), last_outbound_message_id=message["id"], unread=0)
    update = {
        "$set": changes,
        # A hidden send (a reaction) has no event of its own: the target's "reaction" event announces it,
        # so it does not take a sequence number (clients wait for every number, never skip one).
        "$inc": {"seq": 0 if message.get("hidden") else 1, "messages_len": 1, "message_count": 0 if message.get("hidden") else 1},
    }
    filter_ = {"_id": interaction["_id"], "is_open": True}
    if message.get("author") == "agent" and not message.get("hidden"):
        update["$min"] = {"first_response_at": message["at"]}  # for first-response-time figures
        update["$unset"] = {"awaiting_reply_since": "", "sla_breached_at": ""}  # answered (routing/first_response.py)
    stored = message_store.get(interaction["_id"], message["id"])
    if stored is not None:  # the same client_id again: no second message
        return _resend_unqueued(stored)
    try:
        doc = lifecycle.append_line(filter_, update, message)
    except DuplicateKeyError:  # the same client_id twice at once: the other request stored it
        return _find_message(interaction["_id"], message["id"])
    if doc is None:
        raise Conflict("This interaction is closed.")
    if message["kind"] == "reaction":
        _show_agent_reaction(doc, message)
    else:
        live.publish(doc, "message", {"message": plain(with_position(message, doc)), "interaction": routing.card(doc)})
    enqueue_delivery(doc["_id"], message["id"])
    return message


def _resend_unqueued(stored):
    """A message the client sends again is returned as stored; one still waiting for its send with
    no job that will run it (its queueing may have failed) is queued again."""
    reconcile.ensure_send(stored["interaction_id"], stored)
    return message_store.public(stored)


def _show_agent_reaction(interaction, message):
    """The agent's reaction shows under its target at once; the hidden message carries the send."""
    reaction = message["reaction"]
    side = {"emoji": reaction["emoji"], "at": message["at"]} if reaction["emoji"] else None
    key = {"interaction_id": interaction["_id"], "id": reaction["message_id"]}
    _, doc = message_store.update_and_bump(key, {"reactions.agent": side})
    live.publish(doc, "reaction", {"message_id": reaction["message_id"], "side": "agent", "reaction": plain(side)})


def _recontact_setup(actor, interaction_id):
    """(interaction, account, recontact template id) once the actor may send it; else the reason."""
    interaction = load_visible(actor, interaction_id, {"search_terms": 0})
    if actor["role"] != "admin" and interaction.get("agent_id") != actor["_id"]:
        require_owner(actor, interaction)
    account = get_db().accounts.find_one({"_id": interaction["account_id"]})
    template_id = ((account or {}).get("settings") or {}).get("recontact_template_id")
    if not template_id:
        raise ValidationFailed(
            "This account has no recontact template: an admin sets one on the account.",
            {"template_id": "No recontact template configured."},
        )
    if "templates" not in capabilities(account):
        raise _capability_error(account, "Sending templates")
    return interaction, account, template_id


def recontact_template(actor, interaction_id):
    """The template send_recontact would send, for the agent to preview and fill in first
    (agents may not read templates that are not available for agents otherwise)."""
    _, account, template_id = _recontact_setup(actor, interaction_id)
    template = get_db().templates.find_one({"_id": as_oid(template_id, "template"), "account_id": account["_id"]})
    if template is None:
        raise NotFound("The account's recontact template no longer exists: an admin sets another one on the account.")
    return template


def send_recontact(actor, interaction_id, params=None):
    """The account's recontact template, sent as System; the customer's reply reopens as inbound."""
    interaction, account, template_id = _recontact_setup(actor, interaction_id)
    message = {
        "id": msgs.new_id(),
        "direction": "out",
        "author": "system",
        "kind": "template",
        "status": "queued",
        "status_rank": msgs.STATUS_RANK["queued"],
        "at": clock.now(),
        "reactions": {},
        "recontact": True,
        "template": _template(
            actor, interaction, account, NewMessage.model_construct(template_id=template_id, params=params), recontact=True
        ),
    }
    get_db().interactions.update_one({"_id": interaction["_id"]}, {"$set": {"awaiting_recontact_reply": True}})
    if not interaction.get("is_open"):
        return _queue_on_closed(interaction, message, account)
    return queue_message(interaction, message, account)


def _queue_on_closed(interaction, message, account):
    """A recontact template may go out on a closed interaction; the reply will reopen it."""
    doc = lifecycle.append_line(
        {"_id": interaction["_id"]},
        {
            "$set": {"last_message": msgs.summary(message), "last_outbound_message_id": message["id"]},
            "$inc": {"seq": 1, "message_count": 1, "messages_len": 1},
        },
        message,
    )
    live.publish(doc, "message", {"message": plain(with_position(message, doc)), "interaction": routing.card(doc)})
    enqueue_delivery(doc["_id"], message["id"])
    return message
