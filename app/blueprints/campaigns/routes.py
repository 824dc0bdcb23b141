from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app.blueprints._shared import apply_errors, options
from app.blueprints.campaigns import bp
from app.blueprints.campaigns.forms import PARAMS_HELP, CampaignForm, form_to_data
from app.domain.campaign_shapes import RECIPIENT_STATES
from app.services.campaigns import campaign_records
from app.services.channel import accounts
from app.services.contacts import contact_lists
from app.services.errors import ServiceError
from app.services.setup import queue_admin, template_catalog

# Where the service names a field the form shows under another name.
ALIASES = {"params.body": "body_params", "params.header": "header_params", "params": "body_params"}


def _choices(form):
    every = accounts.all_accounts()
    form.account_id.choices = options([(a["_id"], a["name"]) for a in every])
    templates = [(a, t) for a in every for t in template_catalog.templates_of(a["_id"])]
    form.template_id.choices = options([(t["_id"], f"{a['name']} — {t['name']} ({t['language']})") for a, t in templates])
    form.list_ids.choices = options([(c["_id"], c["name"]) for c in contact_lists.all_lists()])
    queues = [(q["_id"], q["name"]) for q in queue_admin.all_queues()]
    form.reply_queue_id.choices = options([("", "The account's queue"), *queues])


@bp.route("/")
def index():
    campaigns = [{**doc, "progress": campaign_records.progress(doc["_id"])} for doc in campaign_records.latest()]
    return render_template("campaigns/index.html", campaigns=campaigns)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = CampaignForm()
    _choices(form)
    problems = {}
    if form.validate_on_submit():
        try:
            campaign = campaign_records.create(current_user.doc, form_to_data(form))
        except ServiceError as exc:
            problems = apply_errors(form, exc, ALIASES)
            flash(exc.message, "error")
        else:
            return redirect(url_for("campaigns.show", campaign_id=campaign["_id"]))
    status = 400 if request.method == "POST" else 200
    return render_template("campaigns/form.html", form=form, params_help=PARAMS_HELP, problems=problems), status


@bp.route("/<campaign_id>")
def show(campaign_id):
    campaign = campaign_records.get(campaign_id)
    state = request.args.get("state") if request.args.get("state") in RECIPIENT_STATES else None
    rows, meta = campaign_records.recipients_page(campaign_id, {"state": state} if state else {})
    return render_template("campaigns/show.html", campaign=campaign, progress=campaign_records.progress(campaign["_id"]),
                           rows=rows, meta=meta, state=state, states=RECIPIENT_STATES, action_form=FlaskForm())


@bp.route("/<campaign_id>/<action>", methods=["POST"])
def act(campaign_id, action):
    if action not in ("pause", "resume", "cancel") or not FlaskForm().validate_on_submit():
        return redirect(url_for("campaigns.show", campaign_id=campaign_id))
    try:
        getattr(campaign_records, action)(campaign_id)
    except ServiceError as exc:
        flash(exc.message, "error")
    return redirect(url_for("campaigns.show", campaign_id=campaign_id))
