"""The AI assistant over the REST API: the account's test box, and an agent's take-over of a bot-handled interaction."""

from flask import g, jsonify

from app.blueprints.api import bp, json_body
from app.blueprints.api.interactions import present
from app.blueprints.api.openapi import operation
from app.domain import interaction_shapes
from app.domain.shapes import AssistantTrial, AssistantTrialAnswer
from app.services.assistant import takeover, trial
from app.services.errors import Forbidden


@bp.route("/accounts/<record_id>/assistant-test", methods=["POST"])
@operation(
    "post",
    "Send a sample message to the account's AI assistant",
    AssistantTrialAnswer,
    "The model's answer (ok) or the endpoint's exact error (not ok).",
    body=AssistantTrial,
    errors=("400", "401", "403", "404"),
    operation_id="test_account_assistant",
    description="Admins. Uses the saved settings (endpoint, model, API key, instructions, knowledge); nothing is stored "
    "or sent to a customer.",
)
def test_assistant(record_id):
    if g.api_user["role"] != "admin":
        raise Forbidden("Only admins can do this.")
    return jsonify(trial.try_assistant(record_id, json_body()))


@bp.route("/interactions/<interaction_id>/takeover", methods=["POST"])
@operation(
    "post",
    "Take over an interaction from the AI assistant",
    interaction_shapes.InteractionAnswer,
    "The interaction, open and assigned to you.",
    errors=("401", "403", "404", "409"),
    operation_id="take_over_interaction",
    description="The assistant stops at once (an answer it was generating is dropped). An interaction it already "
    "handed to the queue is accepted as usual.",
)
def take_over(interaction_id):
    return jsonify(interaction=present(takeover.take_over(g.api_user, interaction_id)))
