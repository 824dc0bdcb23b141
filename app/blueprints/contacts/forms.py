from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.blueprints._shared import fits
from app.domain.shapes import ContactChange


class ContactForm(FlaskForm):
    list_id = SelectField("Contact list", choices=[], validate_choice=False)
    first_name = StringField("First name", validators=[fits(ContactChange, "first_name")])
    last_name = StringField("Last name", validators=[fits(ContactChange, "last_name")])
    phone = StringField("Phone", validators=[fits(ContactChange, "phone")])
    mobile = StringField("Mobile", validators=[fits(ContactChange, "mobile")])
    email = EmailField("Email", validators=[Optional(), fits(ContactChange, "email")])
    company = StringField("Company", validators=[fits(ContactChange, "company")])
    tags = StringField("Tags", validators=[Length(max=1000)])
    notes = TextAreaField("Notes", validators=[fits(ContactChange, "notes")])
