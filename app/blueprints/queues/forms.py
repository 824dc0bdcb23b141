"""The queue form: the queue and its agents, its routing (strategy, offer timeout, priority, limit,
first-response target), its inactivity rules, its business hours (a day's openings typed as
"09:00-13:00, 14:00-18:00", holidays one a line) and its waiting-customer messages.

Field names follow the service's error keys with dots as underscores ("hours.weekly.monday" is
`hours_weekly_monday`), so each error lands next to its field."""

import re
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from app.blueprints._shared import fits, options
from app.domain.shapes import (
    DEFAULT_NUDGE,
    RULE_MINUTES_MAX,
    STRATEGIES,
    STRATEGY_LABELS,
    WEEKDAYS,
    BusinessHours,
    Inactivity,
    Queue,
    QueueRouting,
    WaitingMessages,
)
from app.services.routing.queue_settings import hours_of, waiting_of

MESSAGE_KINDS = {
    "received": ("Send “We received your message”", "Sent when a customer's new conversation enters the queue."),
    "position": (
        "Send the position in the queue and the estimated wait",
        "{position}: the customer's place; {wait}: the estimated wait, from how long the queue's recent "
        "customers waited (“a few minutes” without history).",
    ),
    "no_agents": ("Send “No agent is available”", "Sent while none of the queue's agents is online."),
}
MINUTES = NumberRange(min=1, max=RULE_MINUTES_MAX, message=f"From 1 to {RULE_MINUTES_MAX} minutes.")
INTERVAL = re.compile(r"^\s*(\d{1,2}:\d{2})\s*(?:-|–|—|to)\s*(\d{1,2}:\d{2})\s*$")
OPENINGS_EXAMPLE = "09:00-13:00, 14:00-18:00"


def parse_openings(text):
    """A day's openings typed as "09:00-13:00, 14:00-18:00" as [{start, end}]. A part that is not two times
    goes to the service as typed, which refuses it next to the day with the others' problems."""
    intervals = []
    for part in (text or "").split(","):
        if part.strip():
            found = INTERVAL.match(part)
            intervals.append(
                {"start": found[1].zfill(5), "end": found[2].zfill(5)} if found else {"start": part.strip(), "end": ""}
            )
    return intervals


def parse_holidays(text):
    """Holidays one a line, "2026-12-25 Christmas Day" (the name is optional), as [{date, name}]."""
    rows = []
    for line in (text or "").splitlines():
        day, _, name = line.strip().partition(" ")
        if day:
            rows.append({"date": day, "name": name.strip()})
    return rows


def _zones():
    return ["UTC", *sorted(zone for zone in available_timezones() if "/" in zone)]


class QueueForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), fits(Queue, "name")])
    description = TextAreaField("Description", validators=[fits(Queue, "description")])
    agent_ids = SelectMultipleField("Member agents", choices=[], validate_choice=False)
    routing_strategy = SelectField("Strategy", choices=options((s, STRATEGY_LABELS[s]) for s in STRATEGIES), default="ring_all")
    routing_offer_timeout_seconds = IntegerField(
        "Offer timeout (seconds)",
        default=QueueRouting().offer_timeout_seconds,
        validators=[DataRequired("Enter the seconds an agent has to accept."), NumberRange(5, 600, "From 5 to 600 seconds.")],
    )
    routing_priority = IntegerField("Priority", default=0, validators=[Optional(), NumberRange(0, 10, "From 0 to 10.")])
    routing_max_open_per_agent = IntegerField(
        "Open conversations per agent", validators=[Optional(), NumberRange(1, 100, "From 1 to 100, or empty for no limit.")]
    )
    routing_first_response_minutes = IntegerField("First-response target (minutes)", validators=[Optional(), MINUTES])
    inactivity_customer_idle_minutes = IntegerField(
        "Close when the customer has not written for (minutes)", validators=[Optional(), MINUTES]
    )
    inactivity_nudge_text = TextAreaField(
        "Nudge message", validators=[fits(Inactivity, "nudge_text")], render_kw={"placeholder": DEFAULT_NUDGE, "rows": 2}
    )
    inactivity_close_after_nudge_minutes = IntegerField(
        "Close this many minutes after the nudge",
        default=Inactivity().close_after_nudge_minutes,
        validators=[Optional(), MINUTES],
    )
    hours_enabled = BooleanField("Use business hours: outside them conversations wait for the next opening")
    hours_timezone = SelectField("Time zone", choices=[], validate_choice=False, default="UTC")
    hours_holidays = TextAreaField("Holidays", render_kw={"rows": 4, "placeholder": "2026-12-25 Christmas Day"})
    hours_out_of_hours_message = TextAreaField(
        "Out-of-hours reply", render_kw={"rows": 2}, validators=[fits(BusinessHours, "out_of_hours_message")]
    )
    hours_out_of_hours_to_bot = BooleanField(
        "Hand out-of-hours conversations to the account's AI assistant, where it is configured"
    )
    waiting_messages_every_minutes = IntegerField(
        "At most one automatic message per customer every (minutes)",
        default=WaitingMessages().every_minutes,
        validators=[Optional(), NumberRange(min=1, max=1440)],
    )


for _day in WEEKDAYS:
    setattr(QueueForm, f"hours_weekly_{_day}", StringField(_day.capitalize(), render_kw={"placeholder": OPENINGS_EXAMPLE}))
for _kind, (_label, _) in MESSAGE_KINDS.items():
    setattr(QueueForm, f"waiting_messages_{_kind}_enabled", BooleanField(_label))
    setattr(
        QueueForm,
        f"waiting_messages_{_kind}_text",
        TextAreaField(
            "Text",
            default=getattr(WaitingMessages(), _kind).text,
            render_kw={"rows": 2},
            validators=[fits(type(getattr(WaitingMessages(), _kind)), "text")],
        ),
    )


def fill_choices(form):
    form.hours_timezone.choices = options((zone, zone) for zone in _zones())


def to_form(doc):
    """The stored queue as the form's fields."""
    hours, waiting = hours_of(doc), waiting_of(doc)
    routing = {**QueueRouting().model_dump(), **(doc.get("routing") or {})}
    inactivity = {**Inactivity().model_dump(), **(doc.get("inactivity") or {})}
    data = {
        **doc,
        "agent_ids": [str(i) for i in doc.get("agent_ids", [])],
        **{f"routing_{name}": value for name, value in routing.items()},
        **{f"inactivity_{name}": value for name, value in inactivity.items()},
        "hours_enabled": hours["enabled"],
        "hours_timezone": hours["timezone"],
        "hours_holidays": "\n".join(f"{h['date']} {h.get('name') or ''}".strip() for h in hours["holidays"]),
        "hours_out_of_hours_message": hours["out_of_hours_message"],
        "hours_out_of_hours_to_bot": hours["out_of_hours_to_bot"],
        "waiting_messages_every_minutes": waiting["every_minutes"],
    }
    for day in WEEKDAYS:
        data[f"hours_weekly_{day}"] = ", ".join(f"{i['start']}-{i['end']}" for i in hours["weekly"][day])
    for kind in MESSAGE_KINDS:
        data[f"waiting_messages_{kind}_enabled"] = waiting[kind]["enabled"]
        data[f"waiting_messages_{kind}_text"] = waiting[kind]["text"]
    return data


def from_form(form):
    """The form's fields as the service takes them."""
    every = form.waiting_messages_every_minutes.data
    return {
        "name": form.name.data,
        "description": form.description.data,
        "agent_ids": form.agent_ids.data or [],
        "routing": {
            "strategy": form.routing_strategy.data,
            "offer_timeout_seconds": form.routing_offer_timeout_seconds.data,
            "priority": form.routing_priority.data or 0,
            "max_open_per_agent": form.routing_max_open_per_agent.data,
            "first_response_minutes": form.routing_first_response_minutes.data,
        },
        "inactivity": {
            "customer_idle_minutes": form.inactivity_customer_idle_minutes.data,
            "nudge_text": form.inactivity_nudge_text.data or "",
            "close_after_nudge_minutes": form.inactivity_close_after_nudge_minutes.data
            or Inactivity().close_after_nudge_minutes,  # left empty
        },
        "hours": {
            "enabled": bool(form.hours_enabled.data),
            "timezone": form.hours_timezone.data or "UTC",
            "weekly": {day: parse_openings(form[f"hours_weekly_{day}"].data) for day in WEEKDAYS},
            "holidays": parse_holidays(form.hours_holidays.data),
            "out_of_hours_message": form.hours_out_of_hours_message.data or "",
            "out_of_hours_to_bot": bool(form.hours_out_of_hours_to_bot.data),
        },
        "waiting_messages": {
            **{
                kind: {
                    "enabled": bool(form[f"waiting_messages_{kind}_enabled"].data),
                    "text": form[f"waiting_messages_{kind}_text"].data or "",
                }
                for kind in MESSAGE_KINDS
            },
            "every_minutes": WaitingMessages().every_minutes if every is None else every,
        },
    }
