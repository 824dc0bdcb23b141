"""The account assistant's test over the REST API: a sample message through the saved settings."""

from flask import g, jsonify

from app.blueprints.api import bp, json_body
from app.blueprints.api.openapi import operation
from app.domain.shapes import AssistantTrial, AssistantTrialAnswer
from app.services.assistant import trial
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
