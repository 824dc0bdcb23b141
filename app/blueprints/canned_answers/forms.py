from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class CannedAnswerForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Enter a title."), Length(max=100)])
    text = TextAreaField("Text", validators=[DataRequired("Enter the answer."), Length(max=4096)])
    queue_ids = SelectMultipleField("Offered in queues", choices=[], validate_choice=False)
