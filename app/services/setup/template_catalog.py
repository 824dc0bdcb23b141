"""WhatsApp message templates, per account, with components exactly as WhatsApp defines them
(HEADER text/image/video/document, BODY with {{1}} parameters, FOOTER, BUTTONS), so a template
can be sent as stored and one synced from Meta is stored as Meta describes it."""

import re
from urllib.parse import urlsplit

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from app.db import get_db
from app.domain.fields import limit
from app.domain.shapes import (
    BUTTON_TYPES,
    HEADER_FORMATS,
    BodyComponent,
    FooterComponent,
    HeaderComponent,
    Template,
    TemplateButton,
    TemplateChange,
)
from app.providers.media_limits import AttachmentRejected, check_attachment
from app.services import config_cache
from app.services.attachments import media_store
from app.services.contacts.phones import to_e164
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.setup.records import Fields, contains, fetch, now, object_id, paginate, public

NOUN = "template"
PARAM = re.compile(r"\{\{\s*(\d+)\s*\}\}")


def parameters(text):
    """The numbered parameters of a text, in order of first appearance."""
    return list(dict.fromkeys(int(n) for n in PARAM.findall(text or "")))


def _text(component, key, max_len, errors, where, required=True):
    value = component.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        errors[where] = f"{key} is required text."
    elif len(value) > max_len:
        errors[where] = f"At most {max_len} characters."
    else:
        return value.strip()
    return None


def _check_params(text, allowed, errors, where):
    numbers = parameters(text)
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        errors[where] = "Number parameters {{1}}, {{2}}, … in sequence, without gaps."
    elif len(numbers) > allowed:
        errors[where] = f"At most {allowed} parameter(s) here."


def _check_button(button, index, errors):
    where = f"components.buttons.{index}"
    if not isinstance(button, dict) or str(button.get("type", "")).upper() not in BUTTON_TYPES:
        errors[where] = f"Each button needs a type: {', '.join(BUTTON_TYPES)}."
        return None
    kind = button["type"].upper()
    out = {"type": kind, "text": _text(button, "text", limit(TemplateButton, "text"), errors, where)}
    if kind == "URL":
        url = _text(button, "url", limit(TemplateButton, "url"), errors, where)
        if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
            errors[where] = "The URL must start with http:// or https://."
        out["url"] = url
    elif kind == "PHONE_NUMBER":
        try:
            out["phone_number"] = to_e164(button.get("phone_number") if isinstance(button.get("phone_number"), str) else "")
        except ValidationFailed:
            errors[where] = "Enter the button's phone number in international format."
    return out


def _check_header(comp, errors):
    fmt = str(comp.get("format", "")).upper()
    if fmt not in HEADER_FORMATS:
        errors["components.header"] = f"The header format must be one of: {', '.join(HEADER_FORMATS)}."
        return None
    out = {"type": "HEADER", "format": fmt}
    if fmt == "TEXT":
        out["text"] = _text(comp, "text", limit(HeaderComponent, "text"), errors, "components.header")
        _check_params(out["text"], 1, errors, "components.header")
        return out
    file_id = comp.get("media_file_id")
    if file_id is not None:
        if not isinstance(file_id, str) or not ObjectId.is_valid(file_id):
            errors["components.header"] = "The header file is not a stored file."
        else:
            out["media_file_id"] = file_id
    handle = (comp.get("example") or {}).get("header_handle") if isinstance(comp.get("example"), dict) else None
    if handle is not None:
        if not (
            isinstance(handle, list)
            and len(handle) == 1
            and isinstance(handle[0], str)
            and urlsplit(handle[0]).scheme in ("http", "https")
        ):
            errors["components.header"] = "The sample media must be one http(s) link."
        else:
            out["example"] = {"header_handle": handle}
    return out


def check_components(components, errors):
    """Validate and normalize `components`; problems go to `errors` under components.<part>."""
    if not isinstance(components, list) or not all(isinstance(c, dict) for c in components):
        errors["components"] = "Must be a list of component objects."
        return []
    seen, out = set(), []
    for comp in components:
        kind = str(comp.get("type", "")).upper()
        if kind in seen or kind not in ("HEADER", "BODY", "FOOTER", "BUTTONS"):
            errors["components"] = "Use each of HEADER, BODY, FOOTER and BUTTONS at most once."
            return []
        seen.add(kind)
        if kind == "HEADER":
            out.append(_check_header(comp, errors))
        elif kind == "BODY":
            body = {"type": "BODY", "text": _text(comp, "text", limit(BodyComponent, "text"), errors, "components.body")}
            _check_params(body["text"], 100, errors, "components.body")
            example = comp.get("example")
            if isinstance(example, dict) and isinstance(example.get("body_text"), list):
                body["example"] = {"body_text": example["body_text"]}
            out.append(body)
        elif kind == "FOOTER":
            footer = _text(comp, "text", limit(FooterComponent, "text"), errors, "components.footer")
            out.append({"type": "FOOTER", "text": footer})
        else:
            buttons = comp.get("buttons")
            if not isinstance(buttons, list) or not 1 <= len(buttons) <= 10:
                errors["components.buttons"] = "Between 1 and 10 buttons."
                continue
            checked = [_check_button(b, i, errors) for i, b in enumerate(buttons)]
            kinds = [b["type"] for b in checked if b]
            if kinds.count("URL") > 2 or kinds.count("PHONE_NUMBER") > 1:
                errors["components.buttons"] = "At most 2 URL buttons and 1 phone button."
            out.append({"type": "BUTTONS", "buttons": checked})
    if "BODY" not in seen:
        errors["components.body"] = "A template needs a body."
    order = ("HEADER", "BODY", "FOOTER", "BUTTONS")
    return sorted((c for c in out if c), key=lambda c: order.index(c["type"]))


def _check(data, existing=None):
    fields = Fields(TemplateChange if existing else Template, data, partial=existing is not None)
    if "components" in fields.values:
        fields.values["components"] = check_components(fields.values["components"], fields.errors)
    return fields.finish("The template cannot be saved.")


def _duplicate():
    return Conflict("This account already has a template with this name and language.", {"name": "Already in use."})


def list_templates(search=None, page=None, per_page=None, account_id=None, agents_only=False, recontact=None, language=None):
    query = {}
    if account_id:
        query["account_id"] = object_id(account_id, "account")
    if agents_only:
        query["available_for_agents"] = True
    if recontact is not None:
        query["recontact"] = recontact
    if language:
        query["language"] = language
    if search:
        query["name"] = contains(search)
    return paginate("templates", query, [("name", 1), ("language", 1)], page, per_page)


def get_template(template_id, agents_only=False):
    doc = fetch("templates", template_id, NOUN)
    if agents_only and not doc.get("available_for_agents"):
        raise NotFound(f"No such {NOUN}.")
    return doc


def create_template(data):
    doc = _check(data)
    doc.setdefault("available_for_agents", False)
    doc.setdefault("recontact", False)
    doc.update(status="local", provider_template_id=None, created_at=now(), updated_at=now())
    try:
        doc["_id"] = get_db().templates.insert_one(doc).inserted_id
    except DuplicateKeyError:
        raise _duplicate() from None
    return doc


def update_template(template_id, data):
    doc = get_template(template_id)
    changes = _check(data, existing=doc)
    changes["updated_at"] = now()
    try:
        get_db().templates.update_one({"_id": doc["_id"]}, {"$set": changes})
    except DuplicateKeyError:
        raise _duplicate() from None
    return {**doc, **changes}


def delete_template(template_id):
    doc = get_template(template_id)
    get_db().templates.delete_one({"_id": doc["_id"]})
    get_db().accounts.update_many(
        {"settings.recontact_template_id": doc["_id"]}, {"$set": {"settings.recontact_template_id": None}}
    )
    config_cache.changed()
    return doc


def templates_of(account_id):
    return list(get_db().templates.find({"account_id": account_id}, {"name": 1, "language": 1}).sort("name", 1))


def component(doc, kind):
    return next((c for c in doc.get("components", []) if c.get("type") == kind), None)


def public_template(doc):
    return public(doc)


HEADER_KINDS = {"IMAGE": "image", "VIDEO": "video", "DOCUMENT": "document"}


def store_header_file(data, filename, declared_mime, header_format, actor_id):
    """Keep a header image, video or document uploaded from the admin's disk; returns its file id.

    Checked against WhatsApp's limits for that media type; sent later by media id (uploaded to the
    provider at send time) or by a signed link for providers that fetch media themselves.
    """
    kind = HEADER_KINDS.get(header_format)
    if kind is None:
        raise ValidationFailed(
            "Only image, video and document headers take a file.", {"components.header": "Choose a media header."}
        )
    try:
        checked = check_attachment(data, declared_mime, filename, kind)
    except AttachmentRejected as exc:
        raise ValidationFailed(str(exc), {"components.header": str(exc)}) from None
    stored = media_store.put(data, checked.filename, checked.mime_type, purpose="template_header", uploaded_by=str(actor_id))
    return stored["file_id"]
