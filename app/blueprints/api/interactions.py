"""Interactions over the REST API: the list with filters, one with its messages, and the actions.

Agents see and act only on their queues' interactions; admins on all (app/services/access_rules).
"""

from flask import g, jsonify, request

from app.blueprints.api import bp, json_body
from app.services.access.access_rules import load_visible
from app.services.contacts import shared_cards
from app.services.conversations import lifecycle, live, outbound, routing, start_conversation
from app.services.errors import ServiceError
from app.services.reading import interaction_list, interaction_queries
from app.services.serialize import plain
from app.services.setup import template_catalog

LIST_FILTERS = (
    "status",
    "account_id",
    "agent_id",
    "first_agent_id",
    "tag",
    "read",
    "start_from",
    "start_to",
    "q",
    "sort",
    "page",
    "per_page",
    "window_closing_within",
)


def present(doc):
    return plain({k: v for k, v in doc.items() if k not in ("messages", "search_terms", "rejected_by")})


@bp.route("/interactions", methods=["GET"])
def list_interactions():
    args = {name: request.args.get(name) for name in LIST_FILTERS}
    args["tags"] = request.args.getlist("tags")
    rows, meta = interaction_queries.list_interactions(g.api_user, args)
    waiting = interaction_list.new_counts(g.api_user, [r["contact_id"] for r in rows])
    return jsonify(data=[{**present(r), "contact_waiting": waiting.get(r["contact_id"], 0)} for r in rows], meta=meta)


@bp.route("/interactions", methods=["POST"])
def start_interaction():
    interaction, message, warnings = start_conversation.start(g.api_user, json_body())
    return jsonify(interaction=present(interaction), message=plain(message), warnings=warnings), 201


@bp.route("/interactions/<interaction_id>", methods=["GET"])
def get_interaction(interaction_id):
    doc, messages, paging = interaction_queries.detail(
        g.api_user, interaction_id, request.args.get("before"), request.args.get("limit")
    )
    return jsonify(interaction=present(doc), messages=plain(messages), paging=paging)


@bp.route("/interactions/<interaction_id>/events", methods=["GET"])
def interaction_events(interaction_id):
    doc = load_visible(g.api_user, interaction_id, {"seq": 1})
    after = request.args.get("after_seq", "0")
    if not after.isdigit():
        raise ServiceError("after_seq must be a whole number.", {"after_seq": "Use a whole number."})
    return jsonify(events=live.events_since(doc["_id"], int(after)), seq=doc["seq"])


@bp.route("/interactions/<interaction_id>/messages", methods=["POST"])
def send_message(interaction_id):
    message, warnings = outbound.compose(g.api_user, interaction_id, json_body())
    return jsonify(message=plain(interaction_queries.visible_message(message)), warnings=warnings), 201


@bp.route("/interactions/<interaction_id>/messages/<message_id>/add-contact", methods=["POST"])
def add_contact(interaction_id, message_id):
    data = json_body(required=False)
    contact = shared_cards.add_contact(g.api_user, interaction_id, message_id, data.get("card", 0))
    return jsonify(contact=plain(contact)), 201


def _action(name, handler):
    def view(interaction_id):
        data = json_body(required=False)
        return jsonify(interaction=present(handler(g.api_user, interaction_id, data)))

    bp.add_url_rule(f"/interactions/<interaction_id>/{name}", f"interaction_{name}", view, methods=["POST"])


_action("accept", lambda user, iid, data: routing.accept(user, iid))
_action("reject", lambda user, iid, data: routing.reject(user, iid))
_action("close", lambda user, iid, data: lifecycle.close(user, iid, data.get("disposition"), data.get("tags")))
_action("reopen", lambda user, iid, data: lifecycle.reopen(user, iid, data.get("disposition"), data.get("tags")))
_action("transfer", lambda user, iid, data: lifecycle.transfer(user, iid, data.get("agent_id"), data.get("queue_id")))
_action("read", lambda user, iid, data: interaction_queries.mark_read(user, iid, data.get("position")))


@bp.route("/interactions/<interaction_id>/recontact", methods=["POST"])
def send_recontact(interaction_id):
    message = outbound.send_recontact(g.api_user, interaction_id, json_body(required=False).get("params"))
    return jsonify(message=plain(interaction_queries.visible_message(message))), 201


@bp.route("/interactions/<interaction_id>/recontact", methods=["GET"])
def recontact_template(interaction_id):
    """What the recontact dialog previews and asks parameters for before sending."""
    return jsonify(template=template_catalog.public_template(outbound.recontact_template(g.api_user, interaction_id)))
