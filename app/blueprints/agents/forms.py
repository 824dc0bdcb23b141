from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.blueprints._shared import options


class AgentForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=100)])
    email = EmailField("Email", validators=[DataRequired("Enter an email address."), Length(max=254)])
    role = SelectField("Role", choices=options([("agent", "Agent"), ("admin", "Admin")]))
    active = BooleanField("Active (may sign in and receive conversations)", default=True)
    password = PasswordField("Password", validators=[Length(max=256)])
