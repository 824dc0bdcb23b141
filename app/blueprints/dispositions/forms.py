from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class DispositionForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=60)])
    description = StringField("Description", validators=[Length(max=300)])
