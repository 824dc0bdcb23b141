from types import SimpleNamespace

from flask import request, url_for
from flask_login import current_user

from app.blueprints._crud import Section, form_data
from app.blueprints._shared import options
from app.blueprints.contacts import bp
from app.blueprints.contacts.forms import ContactForm
from app.services.contacts import contact_lists


def _list_choices(form):
    form.list_id.choices = options((c["_id"], c["name"]) for c in contact_lists.all_lists(current_user.doc))


def _contact_data(form):
    data = form_data(form)
    data["tags"] = [t for t in (data.get("tags") or "").split(",") if t.strip()]
    return data


def _contact_to_form(doc):
    return {**doc, "list_id": str(doc["list_id"]), "tags": ", ".join(doc.get("tags", []))}


def _update_contact(contact_id, data):
    data.pop("list_id", None)  # a contact stays in its list
    return contact_lists.update_contact(contact_id, data, current_user.doc)


def _list_filter():
    list_id = request.args.get("list_id")
    return {"list_id": list_id} if list_id else {}


Section(
    bp, "contact", "contacts", ContactForm,
    SimpleNamespace(list=lambda **kw: contact_lists.list_contacts(**kw, actor=current_user.doc),
                    get=lambda contact_id: contact_lists.get_contact(contact_id, current_user.doc),
                    create=lambda data: contact_lists.create_contact(data, current_user.doc),
                    update=_update_contact, delete=contact_lists.delete_contact),
    columns=[("Name", contact_lists.display_name), ("Mobile", lambda d: d.get("mobile", "")),
             ("Phone", lambda d: d.get("phone", "")),
             ("Company", lambda d: d.get("company", "")), ("Tags", lambda d: ", ".join(d.get("tags", []))),
             ("Campaigns", lambda d: "Opted out (replied STOP)" if d.get("opted_out") else "")],
    title=contact_lists.display_name, prepare=_list_choices, to_form=_contact_to_form, from_form=_contact_data,
    filters=_list_filter, can_delete=lambda: current_user.is_admin,
    delete_url=lambda d: url_for("contact_lists.delete_contact", record_id=d["_id"]),
    actions=lambda: [("Contact lists", url_for("contact_lists.index"))] if current_user.is_admin else [],
    row_links=lambda d: [("Export data", url_for("contact_lists.export_contact", record_id=d["_id"])),
                         ("Erase", url_for("contact_lists.erase_contact", record_id=d["_id"]))] if current_user.is_admin else [],
    help={"phone": "International format. When only one of phone and mobile is filled, the other gets the same number.",
          "tags": "Separate tags with commas."},
).register()
