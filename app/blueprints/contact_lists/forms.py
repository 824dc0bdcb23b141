from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class ContactListForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=80)])
    description = StringField("Description", validators=[Length(max=300)])


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file."),
                                             FileAllowed(["csv", "txt"], "Upload a .csv file.")])
