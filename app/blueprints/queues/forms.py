from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from app.blueprints._shared import fits
from app.domain.shapes import DEFAULT_NUDGE, RULE_MINUTES_MAX, Inactivity, Queue

MINUTES = NumberRange(min=1, max=RULE_MINUTES_MAX, message=f"From 1 to {RULE_MINUTES_MAX} minutes.")
# The nested settings' form fields, named <section>_<setting> (the service's errors "section.setting" find them).
SECTION_FIELDS = {
    "routing": ("first_response_minutes",),
    "inactivity": ("customer_idle_minutes", "nudge_text", "close_after_nudge_minutes"),
}
INACTIVITY_FIELDS = [f"{section}_{name}" for section, names in SECTION_FIELDS.items() for name in names]


class QueueForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), fits(Queue, "name")])
    description = TextAreaField("Description", validators=[fits(Queue, "description")])
    agent_ids = SelectMultipleField("Member agents", choices=[], validate_choice=False)
    inactivity_customer_idle_minutes = IntegerField(
        "Close when the customer has not written for (minutes)", validators=[Optional(), MINUTES]
    )
    inactivity_nudge_text = TextAreaField(
        "Nudge message", validators=[fits(Inactivity, "nudge_text")], render_kw={"placeholder": DEFAULT_NUDGE, "rows": 2}
    )
    inactivity_close_after_nudge_minutes = IntegerField(
        "Close this many minutes after the nudge", default=Inactivity().close_after_nudge_minutes,
        validators=[Optional(), MINUTES],
    )
    routing_first_response_minutes = IntegerField("First-response target (minutes)", validators=[Optional(), MINUTES])


def form_to_data(form):
    """The form as the service takes it: the nested settings under their section."""
    data = {"name": form.name.data, "description": form.description.data, "agent_ids": form.agent_ids.data or []}
    for section, names in SECTION_FIELDS.items():
        data[section] = {name: getattr(form, f"{section}_{name}").data for name in names}
    after = data["inactivity"]["close_after_nudge_minutes"]
    data["inactivity"]["close_after_nudge_minutes"] = after or Inactivity().close_after_nudge_minutes  # left empty
    data["inactivity"]["nudge_text"] = data["inactivity"]["nudge_text"] or ""
    return data


def doc_to_form(doc):
    """A stored queue (with its sections' defaults filled in) as the form's data."""
    data = {**doc, "agent_ids": [str(i) for i in doc.get("agent_ids", [])]}
    for section, names in SECTION_FIELDS.items():
        data.update({f"{section}_{name}": doc[section].get(name) for name in names})
    return data
