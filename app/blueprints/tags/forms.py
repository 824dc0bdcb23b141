from flask_wtf import FlaskForm
from wtforms import ColorField, StringField
from wtforms.validators import DataRequired

from app.blueprints._shared import fits
from app.domain.shapes import DEFAULT_COLOUR, Tag


class TagForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), fits(Tag, "name")])
    colour = ColorField("Colour", default=DEFAULT_COLOUR, validators=[fits(Tag, "colour")])
    description = StringField("Description", validators=[fits(Tag, "description")])
