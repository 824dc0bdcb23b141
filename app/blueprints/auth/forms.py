from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    email = EmailField(
        "Email", validators=[DataRequired("Enter your email."), Email("Enter a valid email address."), Length(max=254)]
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=256)])
    remember = BooleanField("Keep me signed in")
    submit = SubmitField("Sign in")


class LogoutForm(FlaskForm):
    submit = SubmitField("Sign out")
