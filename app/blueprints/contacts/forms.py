from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class ContactForm(FlaskForm):
    list_id = SelectField("Contact list", choices=[], validate_choice=False)
    first_name = StringField("First name", validators=[Length(max=80)])
    last_name = StringField("Last name", validators=[Length(max=80)])
    phone = StringField("Phone", validators=[Length(max=40)])
    mobile = StringField("Mobile", validators=[Length(max=40)])
    email = EmailField("Email", validators=[Optional(), Length(max=254)])
    company = StringField("Company", validators=[Length(max=120)])
    tags = StringField("Tags", validators=[Length(max=1000)])
    notes = TextAreaField("Notes", validators=[Length(max=4000)])
