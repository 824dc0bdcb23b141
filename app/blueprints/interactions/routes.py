from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.blueprints.interactions import bp
from app.blueprints.interactions.forms import LabelsForm, RequeueForm
from app.services.conversations import lifecycle, start_dialog
from app.services.errors import ServiceError
from app.services.reading import interaction_list, interaction_view, transcript_zip
from app.services.reading.interaction_queries import BadFilter
from app.services.routing import first_response


def _back(default="interactions.index"):
    """Where a form returns to: a page of this list (never another site)."""
    target = request.form.get("next") or ""
    return target if target.startswith("/interactions") and not target.startswith("//") else url_for(default)


@bp.route("/")
def index():
    args = interaction_list.args_from(request.args.get, request.args.getlist)
    actor = current_user.doc
    try:
        rows, meta = interaction_list.page(actor, args)
        errors, status = {}, 200
    except BadFilter as exc:
        rows, meta = [], {"page": 1, "per_page": 25, "total": 0, "pages": 1}
        errors, status = exc.fields, 400
    return render_template(
        "interactions/index.html",
        rows=rows,
        meta=meta,
        args=args,
        kept={key: value for key, value in args.items() if value and key != "page"},
        here=request.full_path.rstrip("?"),
        errors=errors,
        options=interaction_list.filter_options(actor),
        starters=start_dialog.startable_accounts(actor),
        form=LabelsForm(),
    ), status


@bp.route("/<interaction_id>")
def show(interaction_id):
    view = interaction_view.conversation(current_user.doc, interaction_id, request.args.get("before"))
    return render_template("interactions/show.html", **view, form=LabelsForm(), requeue_form=RequeueForm(),
                           options=interaction_list.filter_options(current_user.doc))


@bp.route("/<interaction_id>/export.zip")
def export_zip(interaction_id):
    name, data = transcript_zip.build(current_user.doc, interaction_id)
    return Response(data, mimetype="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _labels_action(interaction_id, action, done):
    form = LabelsForm()
    if not form.validate_on_submit():
        flash("The form expired. Try again.", "error")
        return redirect(_back())
    try:
        doc = action(current_user.doc, interaction_id, form.disposition.data or None, form.tags.data or [])
    except ServiceError as exc:
        flash(" ".join([exc.message, *exc.fields.values()]), "error")
        return redirect(_back())
    flash(done(doc), "success")
    return redirect(_back())


@bp.route("/<interaction_id>/close", methods=["POST"])
def close(interaction_id):
    return _labels_action(interaction_id, lifecycle.close, lambda doc: f"Closed the interaction with {doc['contact']['name']}.")


@bp.route("/<interaction_id>/reopen", methods=["POST"])
def reopen(interaction_id):
    def done(doc):
        if doc.get("window_expired"):
            return "Reopened. The 24-hour window has expired: only the recontact template can be sent."
        return "Reopened: continue the conversation in the desktop."

    return _labels_action(interaction_id, lifecycle.reopen, done)


@bp.route("/<interaction_id>/requeue", methods=["POST"])
def requeue(interaction_id):
    """An admin returns the interaction to its queue; anyone else who may see it is refused (403)."""
    if not RequeueForm().validate_on_submit():
        flash("The form expired. Try again.", "error")
    else:
        try:
            doc = first_response.return_to_queue(current_user.doc, interaction_id)
        except ServiceError as exc:
            if exc.status == 403:
                abort(403)
            flash(exc.message, "error")
        else:
            flash(f"Returned the interaction with {doc['contact']['name']} to queue {doc.get('queue_name') or ''}.", "success")
    return redirect(url_for("interactions.show", interaction_id=interaction_id))


@bp.route("/contact-lookup")
def contact_lookup():
    """For the "+" dialog: is this number already a contact of the account's list?"""
    return jsonify(start_dialog.lookup(current_user.doc, request.args.get("account_id"), request.args.get("phone")))
