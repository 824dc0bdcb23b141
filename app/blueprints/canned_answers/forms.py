from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired

from app.blueprints._shared import fits
from app.domain.shapes import CannedAnswer


class CannedAnswerForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Enter a title."), fits(CannedAnswer, "title")])
    text = TextAreaField("Text", validators=[DataRequired("Enter the answer."), fits(CannedAnswer, "text")])
    queue_ids = SelectMultipleField("Offered in queues", choices=[], validate_choice=False)
