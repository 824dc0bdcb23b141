from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.blueprints._shared import fits, options
from app.domain.shapes import SCOPES, Token


class TokenForm(FlaskForm):
    name = StringField(
        "Token name", validators=[DataRequired("Name the token, e.g. the script that uses it."), fits(Token, "name")]
    )
    scope = SelectField("Access", choices=options(SCOPES.items()), default="full")
    valid_until = DateField("Valid until (optional)", validators=[Optional()])


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])
    new_password = PasswordField("New password", validators=[DataRequired("Enter a new password."), Length(max=256)])
    confirm_password = PasswordField("New password again", validators=[DataRequired("Enter the new password again.")])
