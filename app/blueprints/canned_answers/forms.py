from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from app.blueprints._shared import fits, lines_of
from app.domain.shapes import CannedAnswer


class CannedAnswerForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Enter a title."), fits(CannedAnswer, "title")])
    text = TextAreaField("Text", validators=[DataRequired("Enter the answer."), fits(CannedAnswer, "text")])
    queue_ids = SelectMultipleField("Offered in queues", choices=[], validate_choice=False)
    buttons = TextAreaField("Reply buttons (optional, up to 3)")

    def validate_buttons(self, field):
        for line in lines_of(field.data):
            if not all(part.strip() for part in line.partition("=")):
                raise ValidationError(f"Write each button as “id = title”: “{line}”.")


def buttons_from_form(text):
    """`id = title` lines as the service takes buttons: [{id, title}]."""
    return [{"id": left.strip(), "title": right.strip()} for left, _, right in (line.partition("=") for line in lines_of(text))]


def buttons_to_form(buttons):
    return "\n".join(f"{b['id']} = {b['title']}" for b in buttons or [])
