from flask import abort, current_app, jsonify, render_template, request, session
from flask_login import current_user

from app.blueprints.media.files import send_stored
from app.blueprints.simulator import bp
from app.services.simulation import simulator, simulator_jump, simulator_numbers, simulator_view

# The numbers this browser session was given, kept in the signed session cookie with the user they
# were given to: whoever signs in next in the same browser starts with numbers of their own.
NUMBERS = "simulator_numbers"


def _given():
    kept = session.get(NUMBERS)
    return kept["phones"] if isinstance(kept, dict) and kept.get("user_id") == current_user.id else []


def _keep(phones):
    session[NUMBERS] = {"user_id": current_user.id, "phones": phones}
    return phones


def _json():
    payload = request.get_json(silent=True)
    return payload if isinstance(payload, dict) else {}


@bp.route("/")
def index():
    if not _given():
        _keep([simulator_numbers.give(current_user.doc["_id"])])
    return render_template(
        "simulator/index.html",
        accounts=simulator.sandbox_accounts(),
        numbers=_given(),
        can_jump=current_app.config.get("PARLEY_SIMULATOR_TIME_JUMP", False),
    )


@bp.route("/numbers", methods=["POST"])
def new_number():
    return jsonify(numbers=_keep(simulator_numbers.more(current_user.doc["_id"], _given())))


@bp.route("/<account_id>/message", methods=["POST"])
def message(account_id):
    """A signed webhook body for the browser to post to the account's webhook."""
    account = simulator.sandbox_account(account_id)
    return jsonify(simulator.message_event(account, request.get_json(silent=True), _given()))


@bp.route("/<account_id>/ack", methods=["POST"])
def ack(account_id):
    account = simulator.sandbox_account(account_id)
    return jsonify(simulator.status_event(account, _json(), _given()))


@bp.route("/<account_id>/conversation")
def conversation(account_id):
    account = simulator.sandbox_account(account_id)
    return jsonify(simulator_view.conversation(account, request.args.get("phone", ""), _given()))


@bp.route("/<account_id>/jump", methods=["POST"])
def jump(account_id):
    """Development and tests only: this conversation's 24-hour window closes now."""
    if not current_app.config.get("PARLEY_SIMULATOR_TIME_JUMP", False):
        abort(404)
    account = simulator.sandbox_account(account_id)
    interaction = simulator_view.latest_interaction(account, _json().get("phone"), _given(), {"search_terms": 0})
    return jsonify(window_expired=simulator_jump.jump(interaction))


@bp.route("/<account_id>/media/<file_id>")
def media_file(account_id, file_id):
    account = simulator.sandbox_account(account_id)
    return send_stored(simulator_view.account_file(account, file_id, _given()))
