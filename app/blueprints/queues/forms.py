from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired

from app.blueprints._shared import fits
from app.domain.shapes import Queue


class QueueForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), fits(Queue, "name")])
    description = TextAreaField("Description", validators=[fits(Queue, "description")])
    agent_ids = SelectMultipleField("Member agents", choices=[], validate_choice=False)
