"""The new-campaign form. Each template parameter is one line: {first_name} (a contact field) or fixed text."""

import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from app.domain.campaign_shapes import CONTACT_FIELDS, DEFAULT_RATE, MAX_RATE

FIELD = re.compile(r"^\{(\w+)\}$")
PARAMS_HELP = "One line per parameter, in order: {first_name}, {last_name}, {company}, {phone}, {mobile} or {email} " \
              "for the contact's field, anything else is sent as written."


class CampaignForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired()])
    account_id = SelectField("WhatsApp account", validators=[DataRequired()])
    template_id = SelectField("Template", validators=[DataRequired()])
    header_params = TextAreaField("Header parameter", validators=[Optional()])
    body_params = TextAreaField("Body parameters", validators=[Optional()])
    list_ids = SelectMultipleField("Contact lists")
    tag = StringField("Only contacts tagged", validators=[Optional()])
    contacts_csv = FileField("Contacts from a CSV file")
    sample_phone = StringField("Preview for the contact with the number", validators=[Optional()])
    rate = IntegerField("Messages per second", default=DEFAULT_RATE, validators=[Optional(), NumberRange(1, MAX_RATE)])
    response_timeout_days = IntegerField("Wait for replies (days)", default=1, validators=[NumberRange(1, 30)])
    close_on_quick_reply = BooleanField("Close the interaction when the customer answers with a quick reply")
    reply_queue_id = SelectField("Replies go to", validators=[Optional()])
    start_at = StringField("Start at (empty: now)", validators=[Optional()], render_kw={"type": "datetime-local"})
    time_zone = StringField("Time zone", default="UTC")


def sources(text):
    """The lines of a parameters box as the service's parameter sources."""
    found = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        field = FIELD.match(line.strip())
        found.append({"field": field.group(1)} if field and field.group(1) in CONTACT_FIELDS else {"value": line.strip()})
    return found


def form_to_data(form):
    data = {
        "name": form.name.data, "account_id": form.account_id.data, "template_id": form.template_id.data,
        "params": {"header": sources(form.header_params.data), "body": sources(form.body_params.data)},
        "list_ids": form.list_ids.data or [], "response_timeout_days": form.response_timeout_days.data,
        "close_on_quick_reply": bool(form.close_on_quick_reply.data), "time_zone": form.time_zone.data or "UTC",
    }
    for name in ("tag", "reply_queue_id", "start_at", "rate"):
        if getattr(form, name).data:
            data[name] = getattr(form, name).data
    return data
