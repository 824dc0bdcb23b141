from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from app.blueprints._shared import fits, options
from app.domain.shapes import DEFAULT_OFFER_TIMEOUT, STRATEGIES, STRATEGY_LABELS, Queue


class QueueForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), fits(Queue, "name")])
    description = TextAreaField("Description", validators=[fits(Queue, "description")])
    agent_ids = SelectMultipleField("Member agents", choices=[], validate_choice=False)
    routing_strategy = SelectField("Strategy", choices=options((s, STRATEGY_LABELS[s]) for s in STRATEGIES), default="ring_all")
    routing_offer_timeout_seconds = IntegerField(
        "Offer timeout (seconds)", default=DEFAULT_OFFER_TIMEOUT,
        validators=[DataRequired("Enter the seconds an agent has to accept."), NumberRange(5, 600, "From 5 to 600 seconds.")],
    )
    routing_priority = IntegerField("Priority", default=0, validators=[Optional(), NumberRange(0, 10, "From 0 to 10.")])
    routing_max_open_per_agent = IntegerField(
        "Open conversations per agent", validators=[Optional(), NumberRange(1, 100, "From 1 to 100, or empty for no limit.")]
    )
    routing_first_response_minutes = IntegerField(
        "First response target (minutes)", validators=[Optional(), NumberRange(1, 1440, "From 1 to 1440 minutes.")]
    )
