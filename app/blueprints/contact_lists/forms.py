from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired

from app.blueprints._shared import fits
from app.domain.shapes import ContactList


class ContactListForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), fits(ContactList, "name")])
    description = StringField("Description", validators=[fits(ContactList, "description")])


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file."),
                                             FileAllowed(["csv", "txt"], "Upload a .csv file.")])
