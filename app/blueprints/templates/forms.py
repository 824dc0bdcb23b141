"""The template form: one field per part of a WhatsApp template, turned into WhatsApp's components."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.blueprints._shared import apply_errors, fits, options
from app.domain.shapes import (
    CATEGORIES,
    BodyComponent,
    FooterComponent,
    HeaderComponent,
    TemplateButton,
    TemplateChange,
)
from app.services.setup.template_catalog import component

HEADER_TYPES = [("", "No header"), ("TEXT", "Text"), ("IMAGE", "Image"), ("VIDEO", "Video"), ("DOCUMENT", "Document")]
BUTTON_TYPES = [("", "—"), ("QUICK_REPLY", "Quick reply"), ("URL", "Visit website"), ("PHONE_NUMBER", "Call phone number")]
BUTTON_ROWS = 4  # empty rows offered; a template may hold up to WhatsApp's 10, all shown when editing
MAX_BUTTONS = 10


class ButtonForm(Form):
    type = SelectField("Button type", choices=options(BUTTON_TYPES))
    text = StringField("Button text", validators=[fits(TemplateButton, "text")])
    value = StringField("URL or phone number", validators=[fits(TemplateButton, "url")])


class TemplateForm(FlaskForm):
    account_id = SelectField("Account", choices=[])
    name = StringField("Name", validators=[DataRequired("Enter a name."), fits(TemplateChange, "name")])
    language = StringField(
        "Language", default="en_US", validators=[DataRequired("Enter a language code."), fits(TemplateChange, "language")]
    )
    category = SelectField("Category", choices=options((c, c.title()) for c in CATEGORIES), default="utility")
    header_type = SelectField("Header", choices=options(HEADER_TYPES))
    header_text = StringField("Header text", validators=[fits(HeaderComponent, "text")])
    header_media_url = StringField("Sample media link", validators=[Length(max=2000)])
    header_file = FileField("Header file")
    header_media_file_id = HiddenField()
    body = TextAreaField("Body", validators=[DataRequired("Enter the body text."), fits(BodyComponent, "text")])
    samples = StringField("Sample parameters", validators=[Length(max=1000)])
    footer = StringField("Footer", validators=[fits(FooterComponent, "text")])
    buttons = FieldList(FormField(ButtonForm), min_entries=BUTTON_ROWS, max_entries=MAX_BUTTONS)
    available_for_agents = BooleanField("Available for agents (they may send it to start a conversation)")
    recontact = BooleanField("Recontact template (sent after the 24-hour window)")


def form_to_data(form):
    components = []
    if form.header_type.data == "TEXT":
        components.append({"type": "HEADER", "format": "TEXT", "text": form.header_text.data or ""})
    elif form.header_type.data:
        header = {"type": "HEADER", "format": form.header_type.data}
        if form.header_media_url.data:
            header["example"] = {"header_handle": [form.header_media_url.data.strip()]}
        if form.header_media_file_id.data:
            header["media_file_id"] = form.header_media_file_id.data
        components.append(header)
    body = {"type": "BODY", "text": form.body.data or ""}
    samples = [s.strip() for s in (form.samples.data or "").split("|") if s.strip()]
    if samples:
        body["example"] = {"body_text": [samples]}
    components.append(body)
    if form.footer.data:
        components.append({"type": "FOOTER", "text": form.footer.data})
    buttons = []
    for row in form.buttons.entries:
        kind, text, value = row.form.type.data, row.form.text.data or "", (row.form.value.data or "").strip()
        if kind:
            button = {"type": kind, "text": text}
            if kind == "URL":
                button["url"] = value
            elif kind == "PHONE_NUMBER":
                button["phone_number"] = value
            buttons.append(button)
    if buttons:
        components.append({"type": "BUTTONS", "buttons": buttons})
    return {
        "name": form.name.data,
        "language": form.language.data,
        "category": form.category.data,
        "components": components,
        "available_for_agents": form.available_for_agents.data,
        "recontact": form.recontact.data,
    }


def doc_to_form(doc):
    header = component(doc, "HEADER") or {}
    body = component(doc, "BODY") or {}
    samples = ((body.get("example") or {}).get("body_text") or [[]])[0]
    buttons = (component(doc, "BUTTONS") or {}).get("buttons", [])
    return {
        "account_id": str(doc["account_id"]),
        "name": doc["name"],
        "language": doc["language"],
        "category": doc.get("category"),
        "header_type": header.get("format", ""),
        "header_text": header.get("text", ""),
        "header_media_url": ((header.get("example") or {}).get("header_handle") or [""])[0],
        "header_media_file_id": header.get("media_file_id", ""),
        "body": body.get("text", ""),
        "samples": " | ".join(str(s) for s in samples),
        "footer": (component(doc, "FOOTER") or {}).get("text", ""),
        "buttons": [
            {"type": b.get("type", ""), "text": b.get("text", ""), "value": b.get("url") or b.get("phone_number") or ""}
            for b in buttons[:MAX_BUTTONS]
        ],
        "available_for_agents": doc.get("available_for_agents", False),
        "recontact": doc.get("recontact", False),
    }


ERROR_ALIASES = {
    "components.header": "header_type",
    "components.body": "body",
    "components.footer": "footer",
    "components": "body",
}


def place_errors(form, exc):
    """A service's errors next to their fields; a button's next to its row (the service counts filled
    rows only). Returns what no field shows (e.g. a rule on all buttons)."""
    rows = [row.form for row in form.buttons.entries if row.form.type.data]
    leftover = {}
    for key, message in apply_errors(form, exc, ERROR_ALIASES).items():
        index = key.removeprefix("components.buttons.")
        if index.isdigit() and int(index) < len(rows):
            row = rows[int(index)]
            row.text.errors = [*row.text.errors, message]
        else:
            leftover[key] = message
    return leftover
