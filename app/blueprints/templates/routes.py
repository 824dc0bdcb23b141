from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.blueprints._crud import confirm_delete
from app.blueprints._shared import options
from app.blueprints.templates import bp
from app.blueprints.templates.forms import TemplateForm, doc_to_form, form_to_data, place_errors
from app.services.channel import accounts
from app.services.errors import ServiceError
from app.services.setup import template_catalog


def _account_names():
    return {a["_id"]: a["name"] for a in accounts.all_accounts()}


def _save(form, action):
    """Run `action(data)`; on errors, show each by its field (a button's by its row).

    Returns (saved document or None, errors no field shows, for the top of the buttons).
    """
    if not form.validate_on_submit():
        return None, {}
    try:
        _store_header_file(form)
        return action(form_to_data(form)), {}
    except ServiceError as exc:
        leftover = place_errors(form, exc)
        if not exc.fields:
            flash(exc.message, "error")
        return None, leftover


def _store_header_file(form):
    upload = form.header_file.data
    if upload and getattr(upload, "filename", ""):
        form.header_media_file_id.data = template_catalog.store_header_file(
            upload.read(), upload.filename, upload.mimetype, form.header_type.data, current_user.id
        )


@bp.route("/")
def index():
    search = request.args.get("q", "").strip()
    account_id = request.args.get("account_id") or None
    page = template_catalog.list_templates(search=search or None, account_id=account_id, page=request.args.get("page"))
    return render_template("templates/index.html", page=page, search=search, account_id=account_id, accounts=_account_names())


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = TemplateForm()
    form.account_id.choices = options(_account_names().items())
    if request.method == "GET" and request.args.get("account_id"):
        form.account_id.data = request.args["account_id"]
    doc, errors = _save(form, lambda data: template_catalog.create_template({**data, "account_id": form.account_id.data}))
    if doc:
        flash(f"Saved template “{doc['name']}”.", "success")
        return redirect(url_for(".index"))
    return render_template("templates/form.html", form=form, record=None, errors=errors)


@bp.route("/<record_id>/edit", methods=["GET", "POST"])
def edit(record_id):
    record = template_catalog.get_template(record_id)
    form = TemplateForm(data=doc_to_form(record)) if request.method == "GET" else TemplateForm()
    del form.account_id  # a template stays on its account: the page names it, nothing posts it
    doc, errors = _save(form, lambda data: template_catalog.update_template(record_id, data))
    if doc:
        flash(f"Saved template “{doc['name']}”.", "success")
        return redirect(url_for(".index"))
    account_name = _account_names().get(record["account_id"], "—")
    return render_template("templates/form.html", form=form, record=record, errors=errors, account_name=account_name)


@bp.route("/<record_id>/delete", methods=["GET", "POST"])
def delete(record_id):
    record = template_catalog.get_template(record_id)
    section = SimpleNamespace(
        noun="template", name_of=lambda d: f"{d['name']} ({d['language']})", url=lambda name, **kw: url_for(f".{name}", **kw)
    )
    return confirm_delete(
        record,
        "template",
        record["name"],
        lambda: template_catalog.delete_template(record_id),
        url_for(".index"),
        section=section,
    )
