from flask import jsonify, render_template, request

from app.blueprints.media.files import send_stored
from app.blueprints.simulator import bp
from app.services import simulator, simulator_view


@bp.route("/")
def index():
    return render_template("simulator/index.html", accounts=simulator.sandbox_accounts())


@bp.route("/<account_id>/message", methods=["POST"])
def message(account_id):
    """A signed webhook body for the browser to post to the account's webhook."""
    account = simulator.sandbox_account(account_id)
    return jsonify(simulator.message_event(account, request.get_json(silent=True)))


@bp.route("/<account_id>/ack", methods=["POST"])
def ack(account_id):
    account = simulator.sandbox_account(account_id)
    payload = request.get_json(silent=True)
    payload = payload if isinstance(payload, dict) else {}
    return jsonify(simulator.status_event(account, payload.get("message_id"), payload.get("status")))


@bp.route("/<account_id>/conversation")
def conversation(account_id):
    account = simulator.sandbox_account(account_id)
    return jsonify(simulator_view.conversation(account, request.args.get("phone", "")))


@bp.route("/<account_id>/media/<file_id>")
def media_file(account_id, file_id):
    account = simulator.sandbox_account(account_id)
    return send_stored(simulator_view.account_file(account, file_id))
