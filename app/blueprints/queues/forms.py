from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class QueueForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=80)])
    description = TextAreaField("Description", validators=[Length(max=500)])
    agent_ids = SelectMultipleField("Member agents", choices=[], validate_choice=False)
