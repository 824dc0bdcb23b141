from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired("Name the token, e.g. the script that uses it."), Length(max=80)])
