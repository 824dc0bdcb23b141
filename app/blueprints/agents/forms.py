from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, NumberRange, Optional

from app.blueprints._shared import fits, options
from app.domain.shapes import ROLES, User


class AgentForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), fits(User, "name")])
    email = EmailField("Email", validators=[DataRequired("Enter an email address."), fits(User, "email")])
    role = SelectField("Role", choices=options((r, r.title()) for r in sorted(ROLES, reverse=True)))
    active = BooleanField("Active (may sign in and receive conversations)", default=True)
    password = PasswordField("Password", validators=[fits(User, "password")])
    max_open = IntegerField(
        "Open conversations at once",
        validators=[Optional(), NumberRange(1, 100, "From 1 to 100, or empty for the queue's limit.")],
    )
