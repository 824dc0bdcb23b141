from flask_wtf import FlaskForm
from wtforms import ColorField, StringField
from wtforms.validators import DataRequired, Length

from app.services.setup.labels import DEFAULT_COLOUR


class TagForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=60)])
    colour = ColorField("Colour", default=DEFAULT_COLOUR)
    description = StringField("Description", validators=[Length(max=300)])
