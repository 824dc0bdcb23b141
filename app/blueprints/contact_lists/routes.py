from types import SimpleNamespace

from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user

from app.blueprints._crud import ConfirmForm, Section, confirm_delete
from app.blueprints.contact_lists import bp
from app.blueprints.contact_lists.forms import ContactListForm, ImportForm
from app.services.contacts import contact_lists, contacts_csv
from app.services.errors import Conflict, ServiceError
from app.services.retention import erasure, export, subject

MAX_IMPORT_BYTES = 5 * 1024 * 1024

Section(
    bp, "contact list", "contact lists", ContactListForm,
    SimpleNamespace(list=contact_lists.list_lists, get=contact_lists.get_list, create=contact_lists.create_list,
                    update=contact_lists.update_list, delete=contact_lists.delete_list),
    columns=[("Name", lambda d: d["name"]), ("Contacts", lambda d: contact_lists.count_contacts(d["_id"])),
             ("Description", lambda d: d.get("description", ""))],
    row_links=lambda d: [("Contacts", url_for("contacts.index", list_id=d["_id"])),
                         ("Import", url_for(".import_csv", record_id=d["_id"])),
                         ("Export", url_for(".export_csv", record_id=d["_id"]))],
).register()


@bp.route("/<record_id>/import", methods=["GET", "POST"])
def import_csv(record_id):
    contact_list = contact_lists.get_list(record_id)
    form, report = ImportForm(), None
    if form.validate_on_submit():
        raw = form.file.data.read(MAX_IMPORT_BYTES + 1)
        if len(raw) > MAX_IMPORT_BYTES:
            form.file.errors.append("At most 5 MB per file.")
        else:
            try:
                report = contacts_csv.import_csv(record_id, raw)
            except ServiceError as exc:
                form.file.errors.append(f"{exc.message} {exc.fields.get('file', '')}".strip())
    return render_template("contacts/import.html", form=form, report=report, contact_list=contact_list,
                           columns=contacts_csv.COLUMNS)


@bp.route("/<record_id>/export.csv")
def export_csv(record_id):
    contact_list = contact_lists.get_list(record_id)
    filename = "".join(ch if ch.isalnum() else "-" for ch in contact_list["name"]) or "contacts"
    return Response(contacts_csv.export_csv(record_id), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})


@bp.route("/contacts/<record_id>/delete", methods=["GET", "POST"])
def delete_contact(record_id):
    doc = contact_lists.get_contact(record_id)
    section = SimpleNamespace(noun="contact", name_of=contact_lists.display_name,
                              url=lambda name, **kw: url_for(f"contacts.{name}"))
    return confirm_delete(doc, "contact", contact_lists.display_name(doc), lambda: contact_lists.delete_contact(record_id),
                          url_for("contacts.index", list_id=doc["list_id"]), section=section)


@bp.route("/contacts/<record_id>/export.zip")
def export_contact(record_id):
    """Everything held about the person of this contact, as a ZIP (a GDPR access request)."""
    name, data = export.build(record_id)
    return Response(data, mimetype="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/contacts/<record_id>/erase", methods=["GET", "POST"])
def erase_contact(record_id):
    """Erase the person of this contact (a GDPR erasure request), after a confirmation page."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        person = subject.find(record_id)
        contact = person.contacts[0]  # the contact asked for comes first, then the others of the person
        return render_template("contacts/erase.html", form=form, contact=contact, person=person,
                               name=contact_lists.display_name(contact),
                               open_count=sum(1 for i in person.interactions if i.get("is_open")))
    try:
        counts = erasure.erase(record_id, current_user.doc["_id"])
    except Conflict as refused:
        flash(refused.message, "error")
        return redirect(url_for("contact_lists.erase_contact", record_id=record_id))
    flash(f"Erased {counts['contacts']} contact(s), {counts['interactions']} conversation(s) and "
          f"{counts['media_files']} attachment(s).", "success")
    return redirect(url_for("contacts.index"))
