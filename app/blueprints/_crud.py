"""The pages every configuration section shares: a list with search and pages, create, edit,
and delete behind a confirmation page. Each section supplies its form, service and columns."""

from dataclasses import dataclass, field

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from app.blueprints._shared import apply_errors
from app.services.errors import ServiceError

SKIP = ("csrf_token", "submit")


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token guards a delete."""


def confirm_delete(record, noun, name, perform, done_url, template="_crud/confirm_delete.html", **context):
    """The confirmation page of a delete, and its POST: the sections' and the hand-written pages' alike."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template(template, form=form, record=record, **context)
    try:
        perform()
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(done_url)
    flash(f"Deleted {noun} “{name}”.", "success")
    return redirect(done_url)


def form_data(form):
    return {name: value for name, value in form.data.items() if name not in SKIP}


@dataclass
class Section:
    bp: object
    noun: str
    plural: str
    form: type
    service: object  # list(search=, page=), get(id), create(data), update(id, data), delete(id)
    columns: list  # (label, doc -> text)
    title: object = None  # doc -> text naming the record
    prepare: object = None  # form -> None: fills choices
    to_form: object = None  # doc -> form data on edit
    from_form: object = form_data
    help: dict = field(default_factory=dict)
    fieldsets: list = field(default_factory=list)  # (legend, [field names]) shown after the other fields
    filters: object = None  # () -> dict of list filters from request.args
    prefix: str = ""  # endpoint and URL prefix, for a second section in one blueprint
    guard: object = None  # () -> None, run before every page (e.g. admin_only)
    can_delete: object = staticmethod(lambda: True)
    actions: object = None  # () -> [(label, url)] of extra buttons on the list page
    row_links: object = None  # doc -> [(label, url)] of extra links on each row
    delete_url: object = None  # doc -> url, when another (admin) blueprint deletes these records

    def register(self):
        url = f"/{self.prefix.strip('_')}" if self.prefix else ""
        for name, rule, methods in (("index", "/", ["GET"]), ("new", "/new", ["GET", "POST"]),
                                    ("edit", "/<record_id>/edit", ["GET", "POST"]),
                                    ("delete", "/<record_id>/delete", ["GET", "POST"])):
            if name == "delete" and self.delete_url:
                continue
            self.bp.add_url_rule(url + rule, self.prefix + name, self._guarded(getattr(self, name)), methods=methods)
        return self

    def _guarded(self, view):
        def page(**kwargs):
            if self.guard:
                self.guard()
            return view(**kwargs)

        return page

    def delete_link(self, doc):
        return self.delete_url(doc) if self.delete_url else self.url("delete", record_id=doc["_id"])

    def url(self, name, **kwargs):
        return url_for(f".{self.prefix}{name}", **kwargs)

    def grouped(self, form):
        """The form's fields: first those in no fieldset, as (None, fields), then each (legend, fields)."""
        shown = [f for f in form if f.name not in SKIP and f.type != "HiddenField"]
        placed = {name for _, names in self.fieldsets for name in names}
        loose = [f for f in shown if f.name not in placed]
        return [(None, loose), *((legend, [form[name] for name in names]) for legend, names in self.fieldsets)]

    def name_of(self, doc):
        return self.title(doc) if self.title else doc.get("name", "")

    def index(self):
        search = request.args.get("q", "").strip()
        extra = self.filters() if self.filters else {}
        page = self.service.list(search=search or None, page=request.args.get("page"), **extra)
        return render_template("_crud/index.html", section=self, page=page, search=search, filters=extra)

    def _save(self, form, action):
        if self.prepare:
            self.prepare(form)
        if form.validate_on_submit():
            try:
                doc = action(self.from_form(form))
            except ServiceError as exc:
                for message in apply_errors(form, exc).values():
                    flash(message, "error")
                if not exc.fields:
                    flash(exc.message, "error")
            else:
                flash(f"Saved {self.noun} “{self.name_of(doc)}”.", "success")
                return redirect(self.url("index"))
        return None

    def new(self):
        form = self.form()
        done = self._save(form, self.service.create)
        return done or render_template("_crud/form.html", section=self, form=form, record=None)

    def edit(self, record_id):
        doc = self.service.get(record_id)
        form = self.form(data=self.to_form(doc) if self.to_form else doc) if request.method == "GET" else self.form()
        done = self._save(form, lambda data: self.service.update(record_id, data))
        return done or render_template("_crud/form.html", section=self, form=form, record=doc)

    def delete(self, record_id):
        doc = self.service.get(record_id)
        return confirm_delete(doc, self.noun, self.name_of(doc), lambda: self.service.delete(record_id), self.url("index"),
                              section=self)
