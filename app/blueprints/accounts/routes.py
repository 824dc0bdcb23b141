from flask import abort, flash, redirect, render_template, request, url_for

from app.blueprints._crud import ConfirmForm, confirm_delete
from app.blueprints._shared import apply_errors, options, public_base_url
from app.blueprints.accounts import bp
from app.blueprints.accounts.forms import (
    RUNS,
    AssistantTestForm,
    account_form_class,
    doc_to_form,
    error_aliases,
    form_to_data,
)
from app.services.assistant import trial
from app.services.channel import account_fields, accounts, template_sync
from app.services.contacts import contact_lists
from app.services.errors import ServiceError
from app.services.setup import queue_admin, template_catalog


def _fill_choices(form, account=None):
    none = [("", "— none —")]
    form.queue_id.choices = options(none + [(q["_id"], q["name"]) for q in queue_admin.all_queues()])
    form.contact_list_id.choices = options(none + [(c["_id"], c["name"]) for c in contact_lists.all_lists()])
    templates = template_catalog.templates_of(account["_id"]) if account else []
    form.recontact_template_id.choices = options(none + [(t["_id"], f"{t['name']} ({t['language']})") for t in templates])


def _save(form, provider, action):
    if form.validate_on_submit():
        try:
            return action(form_to_data(form, provider))
        except ServiceError as exc:
            for message in apply_errors(form, exc, error_aliases(provider)).values():
                flash(message, "error")
            if not exc.fields:
                flash(exc.message, "error")
    return None


@bp.route("/")
def index():
    search = request.args.get("q", "").strip()
    provider = request.args.get("provider") if request.args.get("provider") in account_fields.PROVIDER_NAMES else None
    page = accounts.list_accounts(search=search or None, provider=provider, page=request.args.get("page"))
    return render_template("accounts/index.html", page=page, search=search, provider=provider,
                           providers=account_fields.PROVIDER_NAMES, labels=_labels())


def _labels():
    return {name: account_fields.provider(name).label for name in account_fields.PROVIDER_NAMES}


@bp.route("/new")
def choose_provider():
    return render_template("accounts/choose_provider.html", labels=_labels())


@bp.route("/new/<provider>", methods=["GET", "POST"])
def new(provider):
    if provider not in account_fields.PROVIDER_NAMES:
        abort(404)
    form = account_form_class(provider, editing=False)()
    _fill_choices(form)
    if request.method == "GET":
        form.allowed_attachment_types.data = list(account_fields.MEDIA_TYPES)
    doc = _save(form, provider, lambda data: accounts.create({**data, "provider": provider}))
    if doc:
        flash(f"Created account “{doc['name']}”. Set the webhook URL below in the provider's console.", "success")
        return redirect(url_for(".show", record_id=doc["_id"]))
    return render_template("accounts/form.html", form=form, provider=provider, record=None, labels=_labels(),
                           credentials=account_fields.credential_fields(provider))


@bp.route("/<record_id>")
def show(record_id):
    return _show(accounts.get_account(record_id), AssistantTestForm())


def _show(doc, test_form, test_result=None):
    return render_template("accounts/show.html", account=accounts.public_account(doc, public_base_url()), doc=doc,
                           generated=accounts.generated_secrets(doc), label=_labels()[doc["provider"]],
                           templates=template_catalog.templates_of(doc["_id"]), sync_form=ConfirmForm(),
                           test_form=test_form, test_result=test_result, assistant_runs=RUNS,
                           limits={t: account_fields.human_size(account_fields.media_limit(doc["provider"], t))
                                   for t in account_fields.MEDIA_TYPES})


@bp.route("/<record_id>/assistant-test", methods=["POST"])
def assistant_test(record_id):
    """The "Test" box: the sample goes to the saved assistant settings; the answer or the exact error shows."""
    doc = accounts.get_account(record_id)
    form = AssistantTestForm()
    result = None
    if form.validate_on_submit():
        try:
            result = trial.try_assistant(record_id, {"message": form.message.data})
        except ServiceError as exc:
            apply_errors(form, exc, {})
            if not exc.fields:
                flash(exc.message, "error")
    return _show(doc, form, result), 200 if form.errors == {} else 400


@bp.route("/<record_id>/edit", methods=["GET", "POST"])
def edit(record_id):
    doc = accounts.get_account(record_id)
    provider = doc["provider"]
    form_class = account_form_class(provider, editing=True)
    queue_names = {q["_id"]: q["name"] for q in queue_admin.all_queues()}
    form = form_class(data=doc_to_form(doc, queue_names)) if request.method == "GET" else form_class()
    _fill_choices(form, doc)
    saved = _save(form, provider, lambda data: accounts.update(record_id, data))
    if saved:
        flash(f"Saved account “{saved['name']}”.", "success")
        return redirect(url_for(".show", record_id=record_id))
    return render_template("accounts/form.html", form=form, provider=provider, record=doc, labels=_labels(),
                           credentials=account_fields.credential_fields(provider))


@bp.route("/<record_id>/sync", methods=["POST"])
def sync(record_id):
    if ConfirmForm().validate_on_submit():
        try:
            result = template_sync.sync_from_meta(record_id)
            flash(f"Synced from Meta: {result['created']} new, {result['updated']} updated approved templates.", "success")
        except ServiceError as exc:
            flash(exc.message, "error")
    return redirect(url_for(".show", record_id=record_id))


@bp.route("/<record_id>/delete", methods=["GET", "POST"])
def delete(record_id):
    doc = accounts.get_account(record_id)
    return confirm_delete(doc, "account", doc["name"], lambda: accounts.delete(record_id), url_for(".index"),
                          template="accounts/confirm_delete.html",
                          template_count=len(template_catalog.templates_of(doc["_id"])))
