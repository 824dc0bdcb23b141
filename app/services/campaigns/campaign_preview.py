"""A new campaign's message as one of its customers would receive it, before the campaign exists.

The sample is the contact whose number the admin typed, else the first one the campaign would send
to (its lists and tag, in sending order). Its parameters are resolved as recipients.resolve()
resolves them for the send and the message is drawn by the same prepare() a send uses. A parameter
without a value (the contact's field is empty, or the parameter has no source yet) stays visible
as a placeholder, and the notes say what the campaign would do: skip that contact.
"""

from app.db import get_db
from app.domain.campaign_shapes import CampaignPreview
from app.services.campaigns import campaign_checks, opt_out, recipients
from app.services.contacts.contact_lists import display_name
from app.services.contacts.phones import to_e164
from app.services.errors import ValidationFailed
from app.services.setup.records import checked, object_id
from app.services.setup.template_catalog import component, parameters
from app.services.setup.template_rendering import prepare

# Wraps a placeholder inside the drawn text (a private-use character no contact field holds once
# stripped), so the text can be cut into segments and the placeholders shown apart.
MARK = "\ue000"
NO_SAMPLE = "Choose a contact list, or type a contact's number, to see the message with a contact's details."


def preview(data):
    """The message for the sample contact: {template, sample, message, notes, problems} (PreviewAnswer)."""
    spec = checked(CampaignPreview, _known(data), campaign_checks.HEADLINE)
    account = campaign_checks.account(spec.account_id)
    template = campaign_checks.template(spec.template_id, account)
    params = spec.params.model_dump(exclude_none=True)
    problems, notes = {}, []
    try:
        campaign_checks.mapping(template, params)
    except ValidationFailed as refused:
        problems.update(refused.fields)
    contact = _sample(spec, problems, notes)
    values, empty = _values(template, params, contact)
    header_params, body_params = campaign_checks.parameter_counts(template)
    return {
        "template": {"id": str(template["_id"]), "name": template["name"], "language": template["language"],
                     "header_params": header_params, "body_params": body_params},
        "sample": contact and {"id": str(contact["_id"]), "name": display_name(contact),
                               "phone": contact.get("mobile") or contact.get("phone")},
        "message": _draw(template, values, problems),
        "notes": notes + _fate(contact, empty),
        "problems": problems,
    }


def _known(data):
    """The fields a preview reads: the rest of a create's body is ignored, not refused."""
    return {k: v for k, v in data.items() if k in CampaignPreview.model_fields} if isinstance(data, dict) else data


def _sample(spec, problems, notes):
    lists = {"list_id": {"$in": [object_id(list_id, "contact list") for list_id in spec.list_ids]}} if spec.list_ids else {}
    if spec.sample_phone:
        try:
            phone = to_e164(spec.sample_phone, field="sample_phone")
        except ValidationFailed as refused:
            problems.update(refused.fields)
            return None
        numbers = {"$or": [{"mobile": phone}, {"phone": phone}]}
        contact = (lists and get_db().contacts.find_one({**numbers, **lists})) or get_db().contacts.find_one(numbers)
        if contact is None:
            problems["sample_phone"] = "No contact has this number."
        return contact
    if not lists:
        notes.append(NO_SAMPLE)
        return None
    query = {**lists, **({"tags": spec.tag} if spec.tag else {})}
    contact = get_db().contacts.find_one(query, sort=[("list_id", 1), ("phone", 1)])
    if contact is None:
        notes.append("No contact of these lists has this tag." if spec.tag else "These lists have no contacts yet.")
    return contact


def _placeholder(text):
    return f"{MARK}{text}{MARK}"


def _values(template, params, contact):
    """prepare()'s parameters with every slot filled (placeholders where there is no value), and
    the contact fields the contact lacks."""
    empty = []

    def value(source, number):
        if source is None:
            return _placeholder(f"{{{{{number}}}}}")
        if source.get("field") and contact is None:
            return _placeholder("{" + source["field"] + "}")
        resolved = recipients.resolve({"body": [source]}, contact or {})
        if resolved is None:  # the contact's field is empty (or the fixed text is blank)
            empty.append(source.get("field"))
            return _placeholder("{" + source["field"] + "}" if source.get("field") else f"{{{{{number}}}}}")
        return resolved["body"][0].replace(MARK, "")

    def slots(sources, count):
        return [value(sources[n] if n < len(sources) else None, n + 1) for n in range(count)]

    header_params, body_params = campaign_checks.parameter_counts(template)
    buttons = {
        str(index): value(params.get("buttons", {}).get(str(index)), 1)
        for index, button in enumerate((component(template, "BUTTONS") or {}).get("buttons", []))
        if button.get("type") == "URL" and parameters(button.get("url"))
    }
    shaped = {"header": slots(params.get("header", []), header_params), "body": slots(params.get("body", []), body_params),
              "buttons": buttons}
    return shaped, [field for field in dict.fromkeys(empty) if field]


def _draw(template, values, problems):
    """The bubble: texts as segments ({text, missing}); None when the template cannot be drawn."""
    try:
        rendered, _ = prepare(template, values)
    except ValidationFailed as refused:
        problems.update(refused.fields)
        return None
    header = rendered.get("header")
    if header and header["type"] == "text":
        header = {"type": "text", "segments": _segments(header["text"])}
    elif header:
        header = {"type": header["type"], "link": header["link"], "file_id": header["file_id"]}
    return {"header": header, "body": _segments(rendered["body"]), "footer": rendered.get("footer"),
            "buttons": [{"type": b["type"], "text": b["text"]} for b in rendered["buttons"]]}


def _segments(text):
    return [{"text": part, "missing": n % 2 == 1} for n, part in enumerate(text.split(MARK)) if part]


def _fate(contact, empty):
    """Why the campaign would skip this contact, if it would."""
    if contact is None:
        return []
    raw = contact.get("mobile") or contact.get("phone")
    try:
        phone = to_e164(raw) if raw else None
    except ValidationFailed:
        phone = None
    fates = []
    if phone is None:
        fates.append("This contact has no valid WhatsApp number: they would be skipped.")
    elif contact.get("opted_out") or opt_out.opted_out([phone]):
        fates.append("This number opted out of marketing messages: they would be skipped.")
    if empty:
        fields = " or ".join(field.replace("_", " ") for field in empty)
        fates.append(f"This contact has no {fields}: they would be skipped.")
    return fates
