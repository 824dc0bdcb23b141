from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


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


class ContactListForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=80)])
    description = StringField("Description", validators=[Length(max=300)])


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file."),
                                             FileAllowed(["csv", "txt"], "Upload a .csv file.")])
