from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from app.blueprints._shared import apply_errors, options
from app.blueprints.campaigns import bp
from app.blueprints.campaigns.forms import PARAMS_HELP, CampaignForm, form_to_data
from app.domain.campaign_shapes import CSV_MAX_BYTES, RECIPIENT_STATES
from app.services.campaigns import campaign_checks, campaign_preview, campaign_progress, campaign_records
from app.services.channel import accounts
from app.services.contacts import contact_lists, contacts_csv
from app.services.errors import ServiceError, ValidationFailed
from app.services.setup import queue_admin

#: The recipients table's filters (RecipientFilter's), as the page's links and form send them.
FILTERS = ("state", "number", "reason")
# Where the service names a field the form shows under another name.
ALIASES = {"params.body": "body_params", "params.header": "header_params", "params": "body_params"}


def _choices(form):
    """Fill the selects; each account says its tier and default rate, each template its account and
    parameter counts, for the page's script (the service refuses a template of another account)."""
    every = accounts.all_accounts()
    form.account_id.choices = [
        SelectChoice(str(a["_id"]), a["name"], render_kw={"data-tier": accounts.messages_per_second(a),
                                                           "data-rate": campaign_checks.default_rate(a)})
        for a in every
    ]
    names = {a["_id"]: a["name"] for a in every}
    form.template_id.choices = [
        SelectChoice(str(t["_id"]), f"{names.get(t['account_id'], '?')} — {t['name']} ({t['language']})",
                     render_kw={"data-account": str(t["account_id"]), "data-header-params": t["params"][0],
                                "data-body-params": t["params"][1]})
        for t in campaign_checks.usable_templates() if t["account_id"] in names
    ]
    form.list_ids.choices = options([(c["_id"], c["name"]) for c in contact_lists.all_lists()])
    queues = [(q["_id"], q["name"]) for q in queue_admin.all_queues()]
    form.reply_queue_id.choices = options([("", "The account's queue"), *queues])
    return every


@bp.route("/")
def index():
    campaigns = [{**doc, "live": campaign_progress.figures(doc)} for doc in campaign_records.latest()]
    return render_template("campaigns/index.html", campaigns=campaigns)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = CampaignForm()
    every = _choices(form)
    if request.method == "GET" and every:
        form.rate.data = campaign_checks.default_rate(every[0])
    problems = {}
    if form.validate_on_submit():
        upload = form.contacts_csv.data.read(CSV_MAX_BYTES + 1) if form.contacts_csv.data else None
        try:
            campaign = campaign_records.create(current_user.doc, form_to_data(form), upload=upload)
        except ServiceError as exc:
            problems = apply_errors(form, exc, ALIASES)
            flash(exc.message, "error")
        else:
            return redirect(url_for("campaigns.show", campaign_id=campaign["_id"]))
    status = 400 if request.method == "POST" else 200
    shown = _preview(form) if request.method == "POST" else None
    return render_template("campaigns/form.html", form=form, params_help=PARAMS_HELP, problems=problems, preview=shown,
                           columns=contacts_csv.COLUMNS), status


@bp.route("/preview", methods=["POST"])
def preview():
    """The preview pane, drawn from the form as it stands (the page's script asks as the admin types)."""
    return render_template("campaigns/_preview.html", preview=_preview(CampaignForm()))


def _preview(form):
    try:
        return campaign_preview.preview({**form_to_data(form), "sample_phone": form.sample_phone.data})
    except ServiceError as exc:
        return {"problems": exc.fields or {"": exc.message}}


@bp.route("/<campaign_id>")
def show(campaign_id):
    campaign = campaign_records.get(campaign_id)
    filters = {name: request.args[name] for name in FILTERS if request.args.get(name)}
    try:
        (rows, meta), errors = campaign_records.recipients_page(campaign_id, filters), {}
    except ValidationFailed as exc:
        rows, meta, errors = [], None, exc.fields
    return render_template("campaigns/show.html", campaign=campaign, live=campaign_progress.snapshot(campaign), rows=rows,
                           meta=meta, filters=filters, errors=errors, states=RECIPIENT_STATES, action_form=FlaskForm()
                           ), 400 if errors else 200


@bp.route("/<campaign_id>/progress")
def progress(campaign_id):
    """The campaign's progress as published live: what its pages ask for when their socket connects."""
    return jsonify(campaign_progress.snapshot(campaign_records.get(campaign_id)))


@bp.route("/<campaign_id>/<action>", methods=["POST"])
def act(campaign_id, action):
    if action not in ("pause", "resume", "cancel") or not FlaskForm().validate_on_submit():
        return redirect(url_for("campaigns.show", campaign_id=campaign_id))
    try:
        getattr(campaign_records, action)(campaign_id)
    except ServiceError as exc:
        flash(exc.message, "error")
    return redirect(url_for("campaigns.show", campaign_id=campaign_id))
