from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from app.blueprints._shared import fits
from app.domain.shapes import PauseReason


class PauseReasonForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), fits(PauseReason, "name")])
    description = StringField("Description", validators=[fits(PauseReason, "description")])
