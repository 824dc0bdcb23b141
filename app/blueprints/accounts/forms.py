"""The account form, built per provider: each provider asks for its own credential fields."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.blueprints._shared import fits, lines_of, options
from app.domain.shapes import ASSISTANT_RUNS, DEFAULT_RATE, MAX_RATE, READ_RECEIPTS, Account, Chatbot
from app.services.channel import account_fields
from app.services.channel.accounts import credentials_shape

RECEIPTS = {"on_view": "When the agent views the message", "on_reply": "When the agent replies", "never": "Never"}

SETTING_FLAGS = ("close_on_quick_reply", "allow_transfer", "zip_attachments")
CHATBOT_FIELDS = ("enabled", "endpoint", "model", "api_key", "instructions", "knowledge", "max_turns", "max_tokens", "runs",
                  "handoff_message")
RUNS = {"always": "Always", "no_agents_online": "Outside agents' hours (while no agent of the queue is online)",
        "out_of_hours": "Outside business hours (conversations the queue hands it while closed)", "never": "Never"}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AccountForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), fits(Account, "name")])
    phone = StringField("Business phone number", validators=[DataRequired("Enter the business number."), fits(Account, "phone")])
    api_base = URLField("API base URL", validators=[Optional(), fits(Account, "api_base")])
    queue_id = SelectField("Queue it feeds", choices=[], validate_choice=False)
    contact_list_id = SelectField("Contact list for new contacts", choices=[], validate_choice=False)
    messages_per_second = IntegerField("Messages per second (the number's tier)", default=DEFAULT_RATE,
                                       validators=[Optional(), NumberRange(min=1, max=MAX_RATE)])
    max_attachment_mb = DecimalField(
        "Maximum attachment size (MB)",
        places=None,
        default=15,
        validators=[DataRequired("Enter a size in MB."), NumberRange(min=0.01)],
    )
    allowed_attachment_types = CheckboxesField(
        "Allowed attachment types", choices=options((t, t) for t in account_fields.MEDIA_TYPES)
    )
    recontact_template_id = SelectField("Recontact template", choices=[], validate_choice=False)
    close_on_quick_reply = BooleanField("Close the interaction when the customer answers with a quick reply")
    closing_reply_ids = TextAreaField("Close the interaction when the customer chooses one of these button or row ids")
    reply_routes = TextAreaField("Reply routing: move a waiting interaction when the customer chooses an id")

    def validate_reply_routes(self, field):
        """Each line `id = queue name`, naming one of the queues offered in the form."""
        names = {choice.label for choice in self.queue_id.choices if choice.value}
        for line in lines_of(field.data):
            choice, sep, queue = (part.strip() for part in line.partition("="))
            if not sep or not choice or not queue:
                raise ValidationError(f"Write each rule as “button id = queue name”: “{line}”.")
            if queue not in names:
                raise ValidationError(f"No queue is named “{queue}”.")
    allow_transfer = BooleanField("Agents may transfer interactions", default=True)
    zip_attachments = BooleanField("Agents may download attachments in ZIP exports", default=True)
    read_receipts = SelectField("Send read receipts", choices=options((r, RECEIPTS[r]) for r in READ_RECEIPTS))
    chatbot_enabled = BooleanField("AI assistant enabled: it answers new conversations first, then hands them to the queue")
    chatbot_endpoint = URLField("API base URL", validators=[Optional(), fits(Chatbot, "endpoint")])
    chatbot_model = StringField("Model", validators=[fits(Chatbot, "model")])
    chatbot_api_key = PasswordField("API key", validators=[Optional(), fits(Chatbot, "api_key")])
    chatbot_instructions = TextAreaField("Instructions", validators=[fits(Chatbot, "instructions")])
    chatbot_knowledge = TextAreaField("Knowledge", validators=[fits(Chatbot, "knowledge")])
    chatbot_max_turns = IntegerField("Most assistant answers per interaction", default=Chatbot().max_turns,
                                     validators=[Optional(), NumberRange(min=1, max=50)])
    chatbot_max_tokens = IntegerField("Most tokens per interaction", default=Chatbot().max_tokens,
                                      validators=[Optional(), NumberRange(min=100, max=1_000_000)])
    chatbot_runs = SelectField("When it answers", choices=options((r, RUNS[r]) for r in ASSISTANT_RUNS), validate_choice=False)
    chatbot_handoff_message = TextAreaField("Hand-off message", default=Chatbot().handoff_message,
                                            validators=[fits(Chatbot, "handoff_message")])


class AssistantTestForm(FlaskForm):
    message = TextAreaField("Sample customer message", validators=[DataRequired("Enter a sample message.")])


def account_form_class(provider, editing):
    """AccountForm plus one `cred_<name>` field per credential of `provider`."""
    attrs = {}
    for cred in account_fields.credential_fields(provider):
        length = fits(credentials_shape(provider), cred.name)
        if cred.secret:
            required = cred.required and not cred.generated and not editing
            validators = [DataRequired("Required."), length] if required else [Optional(), length]
            attrs[f"cred_{cred.name}"] = PasswordField(cred.label, validators=validators)
        else:
            validators = [DataRequired("Required.")] if cred.required else [Optional()]
            attrs[f"cred_{cred.name}"] = StringField(cred.label, validators=[*validators, length])
    return type(f"{provider.title()}AccountForm", (AccountForm,), attrs)


def form_to_data(form, provider):
    settings = {
        "max_attachment_bytes": int(form.max_attachment_mb.data * account_fields.MB),
        "allowed_attachment_types": form.allowed_attachment_types.data or [],
        "recontact_template_id": form.recontact_template_id.data or None,
        "read_receipts": form.read_receipts.data,
        "chatbot": {name: _chatbot_value(form, name) for name in CHATBOT_FIELDS},
        "closing_reply_ids": lines_of(form.closing_reply_ids.data),
        "reply_routes": _routes(form),
        **{flag: getattr(form, flag).data for flag in SETTING_FLAGS},
    }
    if form.messages_per_second.data is not None:  # left empty: a new account gets the default, an edit keeps it
        settings["messages_per_second"] = form.messages_per_second.data
    return {
        "name": form.name.data,
        "phone": form.phone.data,
        "api_base": form.api_base.data or "",
        "queue_id": form.queue_id.data or None,
        "contact_list_id": form.contact_list_id.data or None,
        "credentials": {c.name: getattr(form, f"cred_{c.name}").data or "" for c in account_fields.credential_fields(provider)},
        "settings": settings,
    }


def _routes(form):
    """The reply routing lines as the service takes them: [{id, queue_id}]."""
    ids = {choice.label: choice.value for choice in form.queue_id.choices if choice.value}
    routes = []
    for line in lines_of(form.reply_routes.data):
        choice, _, queue = (part.strip() for part in line.partition("="))
        routes.append({"id": choice, "queue_id": ids.get(queue, "")})
    return routes


def _chatbot_value(form, name):
    value = getattr(form, f"chatbot_{name}").data
    if name == "enabled":
        return bool(value)
    if name in ("max_turns", "max_tokens", "runs") and value in (None, ""):
        return getattr(Chatbot(), name)  # left empty (or a form without the field): the default
    return value if name in ("max_turns", "max_tokens") else value or ""


def doc_to_form(doc, queue_names):
    """The form's values for `doc`; `queue_names`: {queue id: name}, for the reply routing lines."""
    settings = doc.get("settings", {})
    data = {
        "name": doc["name"],
        "phone": doc["phone"],
        "api_base": doc.get("api_base") or "",
        "queue_id": str(doc.get("queue_id") or ""),
        "contact_list_id": str(doc.get("contact_list_id") or ""),
        "max_attachment_mb": round(settings.get("max_attachment_bytes", 0) / account_fields.MB, 3),
        "allowed_attachment_types": settings.get("allowed_attachment_types", []),
        "recontact_template_id": str(settings.get("recontact_template_id") or ""),
        "read_receipts": settings.get("read_receipts", READ_RECEIPTS[0]),
        "messages_per_second": settings.get("messages_per_second", DEFAULT_RATE),
    }
    data.update({flag: settings.get(flag, False) for flag in SETTING_FLAGS})
    data["closing_reply_ids"] = "\n".join(settings.get("closing_reply_ids", []))
    routes = settings.get("reply_routes", [])
    data["reply_routes"] = "\n".join(f"{r['id']} = {queue_names.get(r['queue_id'], '')}" for r in routes)
    data.update({f"chatbot_{k}": v for k, v in {**Chatbot().model_dump(), **settings.get("chatbot", {})}.items()})
    data["chatbot_api_key"] = ""  # write-only
    data.update({f"cred_{k}": v for k, v in doc.get("credentials", {}).items()})
    return data


def error_aliases(provider):
    """Service error keys (settings.x, credentials.y) to the form's field names."""
    aliases = {"settings.max_attachment_bytes": "max_attachment_mb"}
    aliases.update(
        {f"settings.{f}": f for f in (*SETTING_FLAGS, "allowed_attachment_types", "recontact_template_id", "read_receipts",
                                      "messages_per_second", "closing_reply_ids", "reply_routes")}
    )
    aliases.update({f"settings.chatbot.{f}": f"chatbot_{f}" for f in CHATBOT_FIELDS})
    aliases.update({f"credentials.{c.name}": f"cred_{c.name}" for c in account_fields.credential_fields(provider)})
    return aliases
