from types import SimpleNamespace

from flask import Response, abort, render_template, request, url_for
from flask_login import current_user

from app.access import admin_only
from app.blueprints._crud import Section, form_data
from app.blueprints.contacts import bp
from app.blueprints.contacts.forms import ContactForm, ContactListForm, ImportForm
from app.services import contacts, contacts_csv
from app.services.errors import ServiceError

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _list_choices(form):
    form.list_id.choices = [(str(c["_id"]), c["name"]) for c in contacts.all_lists()]


def _contact_data(form):
    data = form_data(form)
    data["tags"] = [t for t in (data.get("tags") or "").split(",") if t.strip()]
    return data


def _contact_to_form(doc):
    return {**doc, "list_id": str(doc["list_id"]), "tags": ", ".join(doc.get("tags", []))}


def _update_contact(contact_id, data):
    data.pop("list_id", None)  # a contact stays in its list
    return contacts.update_contact(contact_id, data)


def _list_filter():
    list_id = request.args.get("list_id")
    return {"list_id": list_id} if list_id else {}


CONTACTS = Section(
    bp, "contact", "contacts", ContactForm,
    SimpleNamespace(list=contacts.list_contacts, get=contacts.get_contact, create=contacts.create_contact,
                    update=_update_contact, delete=contacts.delete_contact),
    columns=[("Name", contacts.display_name), ("Mobile", lambda d: d.get("mobile", "")), ("Phone", lambda d: d.get("phone", "")),
             ("Company", lambda d: d.get("company", "")), ("Tags", lambda d: ", ".join(d.get("tags", [])))],
    title=contacts.display_name, prepare=_list_choices, to_form=_contact_to_form, from_form=_contact_data,
    filters=_list_filter, can_delete=lambda: current_user.is_admin,
    actions=lambda: [("Contact lists", CONTACTS.url("lists_index"))] if current_user.is_admin else [],
    help={"phone": "International format. When only one of phone and mobile is filled, the other gets the same number.",
          "tags": "Separate tags with commas."},
).register()

LISTS = Section(
    bp, "contact list", "contact lists", ContactListForm,
    SimpleNamespace(list=contacts.list_lists, get=contacts.get_list, create=contacts.create_list,
                    update=contacts.update_list, delete=contacts.delete_list),
    columns=[("Name", lambda d: d["name"]), ("Contacts", lambda d: contacts.count_contacts(d["_id"])),
             ("Description", lambda d: d.get("description", ""))],
    prefix="lists_", guard=admin_only,
    row_links=lambda d: [("Contacts", CONTACTS.url("index", list_id=d["_id"])),
                         ("Import", url_for(".import_csv", record_id=d["_id"])),
                         ("Export", url_for(".export_csv", record_id=d["_id"]))],
).register()


@bp.route("/lists/<record_id>/import", methods=["GET", "POST"])
def import_csv(record_id):
    admin_only()
    contact_list = contacts.get_list(record_id)
    form, report = ImportForm(), None
    if form.validate_on_submit():
        raw = form.file.data.read(MAX_IMPORT_BYTES + 1)
        if len(raw) > MAX_IMPORT_BYTES:
            form.file.errors.append("At most 5 MB per file.")
        else:
            try:
                report = contacts_csv.import_csv(record_id, raw)
            except ServiceError as exc:
                form.file.errors.append(exc.fields.get("file", exc.message) + " " + exc.message)
    return render_template("contacts/import.html", form=form, report=report, contact_list=contact_list,
                           columns=contacts_csv.COLUMNS)


@bp.route("/lists/<record_id>/export.csv")
def export_csv(record_id):
    if not current_user.is_admin:
        abort(403)
    contact_list = contacts.get_list(record_id)
    filename = "".join(ch if ch.isalnum() else "-" for ch in contact_list["name"]) or "contacts"
    return Response(contacts_csv.export_csv(record_id), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})
