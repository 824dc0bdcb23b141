"""Interactions over the REST API: the list with filters, one with its messages, and the actions.

Agents see and act only on their queues' interactions; admins on all (app/services/access_rules).
"""

from flask import g, jsonify, request
from pydantic import BaseModel, Field

from app.blueprints.api import bp, json_body
from app.blueprints.api.openapi import operation
from app.domain import interaction_shapes as shapes
from app.services.access.access_rules import load_visible
from app.services.contacts import shared_cards
from app.services.conversations import lifecycle, live, outbound, routing, start_conversation, typing_indicator
from app.services.errors import ServiceError
from app.services.reading import interaction_list, interaction_queries
from app.services.routing import first_response, moves
from app.services.serialize import plain
from app.services.setup import template_catalog
from app.services.setup.records import checked

EVENTS_SAYS = {"after_seq": "Use a whole number."}
LIST_FILTERS = tuple(name for name in shapes.InteractionFilters.model_fields if name != "tags")


def present(doc):
    return plain({k: v for k, v in doc.items() if k not in ("messages", "search_terms", "search_terms_count", "rejected_by")})


@bp.route("/interactions", methods=["GET"])
@operation("get", "List interactions", shapes.InteractionList, "One page.", query=(shapes.InteractionFilters,))
def list_interactions():
    args = {name: request.args.get(name) for name in LIST_FILTERS}
    args["tags"] = request.args.getlist("tags")
    rows, meta = interaction_queries.list_interactions(g.api_user, args)
    waiting = interaction_list.new_counts(g.api_user, [r["contact_id"] for r in rows])
    return jsonify(data=[{**present(r), "contact_waiting": waiting.get(r["contact_id"], 0)} for r in rows], meta=meta)


@bp.route("/interactions", methods=["POST"])
@operation(
    "post",
    "Start an outbound interaction (account_id, phone, template_id + params or text)",
    shapes.Started,
    "The interaction and its first message.",
    201,
    body=shapes.NewConversation,
)
def start_interaction():
    interaction, message, warnings = start_conversation.start(g.api_user, json_body())
    return jsonify(interaction=present(interaction), message=plain(message), warnings=warnings), 201


@bp.route("/interactions/<interaction_id>", methods=["GET"])
@operation(
    "get",
    "An interaction with a page of its messages (before, limit)",
    shapes.InteractionDetail,
    "The interaction.",
    query=(shapes.MessagePage,),
)
def get_interaction(interaction_id):
    doc, messages, paging = interaction_queries.detail(
        g.api_user, interaction_id, request.args.get("before"), request.args.get("limit")
    )
    return jsonify(interaction=present(doc), messages=plain(messages), paging=paging)


@bp.route("/interactions/<interaction_id>/events", methods=["GET"])
@operation(
    "get",
    "Live events after a sequence number (catching up after a reconnect)",
    shapes.Events,
    "The events kept after after_seq, in order, and whether they are all of them.",
    query=(shapes.EventsAfter,),
)
def interaction_events(interaction_id):
    doc = load_visible(g.api_user, interaction_id, {"seq": 1})
    asked = {"after_seq": request.args.get("after_seq") or None}
    after = checked(shapes.EventsAfter, asked, "after_seq must be a whole number.", ServiceError, say=EVENTS_SAYS).after_seq
    return jsonify(**live.events_since(doc["_id"], after or 0, doc["seq"]), seq=doc["seq"])


@bp.route("/interactions/<interaction_id>/messages", methods=["POST"])
@operation(
    "post",
    "Send a message: text, media (file_id), location, template, reaction, reply_to, internal note",
    shapes.Sent,
    "The queued message and any warnings.",
    201,
    body=shapes.NewMessage,
)
def send_message(interaction_id):
    message, warnings = outbound.compose(g.api_user, interaction_id, json_body())
    return jsonify(message=plain(interaction_queries.visible_message(message)), warnings=warnings), 201


@bp.route("/interactions/<interaction_id>/messages/<message_id>/add-contact", methods=["POST"])
@operation(
    "post",
    "Add a shared contact card to the account's contact list",
    shapes.ContactAdded,
    "The new contact.",
    201,
    body=shapes.ContactCard,
    body_required=False,
    operation_id="add_contact_from_card",
)
def add_contact(interaction_id, message_id):
    data = json_body(required=False)
    contact = shared_cards.add_contact(g.api_user, interaction_id, message_id, data.get("card", 0))
    return jsonify(contact=plain(contact)), 201


def _action(name, handler, summary, body=None):
    @operation("post", summary, shapes.InteractionAnswer, "The interaction.", body=body, body_required=False)
    def view(interaction_id):
        data = json_body(required=False)
        return jsonify(interaction=present(handler(g.api_user, interaction_id, data)))

    bp.add_url_rule(f"/interactions/<interaction_id>/{name}", f"interaction_{name}", view, methods=["POST"])


_action("accept", lambda user, iid, data: routing.accept(user, iid), "Accept a queued interaction")
_action("reject", lambda user, iid, data: routing.reject(user, iid), "Reject an offered interaction")
_action(
    "close",
    lambda user, iid, data: lifecycle.close(user, iid, data.get("disposition"), data.get("tags")),
    "Close (disposition, tags)",
    shapes.Labels,
)
_action(
    "reopen",
    lambda user, iid, data: lifecycle.reopen(user, iid, data.get("disposition"), data.get("tags")),
    "Reopen (disposition, tags)",
    shapes.Labels,
)
_action(
    "transfer",
    lambda user, iid, data: lifecycle.transfer(user, iid, data.get("agent_id"), data.get("queue_id")),
    "Transfer to agent_id or queue_id",
    shapes.Transfer,
)
_action(
    "requeue",
    lambda user, iid, data: first_response.return_to_queue(user, iid),
    "Return an assigned interaction to its queue (admins): it is offered to the queue's agents again",
)
_action(
    "read",
    lambda user, iid, data: interaction_queries.mark_read(user, iid, data.get("position")),
    "Mark the conversation read (up to the message at position; all of it without)",
    shapes.ReadUpTo,
)


@bp.route("/interactions/<interaction_id>/assign", methods=["POST"])
@operation(
    "post",
    "Assign a waiting interaction to an agent of its queue (admins)",
    shapes.InteractionAnswer,
    "The interaction, now open with that agent.",
    body=shapes.Assignment,
    operation_id="assign_interaction",
    description="Admins. The interaction must be waiting (status queued): 409 when an agent accepted it or another "
    "admin assigned it first. 422 when agent_id is not an active agent of its queue. The agent's presence and "
    "capacity do not stop an admin.",
)
def assign_interaction(interaction_id):
    return jsonify(interaction=present(moves.assign(g.api_user, interaction_id, json_body().get("agent_id"))))


@bp.route("/interactions/<interaction_id>/recontact", methods=["POST"])
@operation(
    "post",
    "Send the account's recontact template",
    shapes.Sent,
    "The queued template message.",
    201,
    body=shapes.TemplateParams,
    body_required=False,
)
def send_recontact(interaction_id):
    message = outbound.send_recontact(g.api_user, interaction_id, json_body(required=False).get("params"))
    return jsonify(message=plain(interaction_queries.visible_message(message))), 201


@bp.route("/interactions/<interaction_id>/recontact", methods=["GET"])
@operation(
    "get",
    "The account's recontact template, to preview and fill in before sending",
    shapes.RecontactTemplate,
    "The template with its components.",
    operation_id="get_recontact_template",
)
def recontact_template(interaction_id):
    """What the recontact dialog previews and asks parameters for before sending."""
    return jsonify(template=template_catalog.public_template(outbound.recontact_template(g.api_user, interaction_id)))


class TypingAnswer(BaseModel):
    sent: bool = Field(description="Whether an indicator was queued now.")
    reason: str | None = Field(description="Why not: unsupported (the provider has none), read_receipts (the account "
                               "does not send read receipts on view), debounced (one went out less than 20 s ago), "
                               "nothing_to_answer (no customer message yet).")


@bp.route("/interactions/<interaction_id>/typing", methods=["POST"])
@operation(
    "post",
    "The assigned agent is typing: show the customer \"typing…\"",
    TypingAnswer,
    "Whether an indicator went out.",
    operation_id="agent_typing",
    errors=("401", "403", "404", "409"),
    description="The assigned agent only (403 otherwise), on an open conversation inside the 24-hour window (409 "
    "otherwise). Meta Cloud API accounts whose read receipts go out when an agent views the conversation: the "
    "indicator also marks the customer's messages read. At most one per conversation every 20 seconds.",
)
def agent_typing(interaction_id):
    return jsonify(typing_indicator.agent_typing(g.api_user, interaction_id))
