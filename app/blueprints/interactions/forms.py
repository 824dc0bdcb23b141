from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField


class LabelsForm(FlaskForm):
    """Close or reopen: an optional disposition and tags (the service checks they exist)."""

    disposition = SelectField("Disposition", choices=[], validate_choice=False)
    tags = SelectMultipleField("Tags", choices=[], validate_choice=False)


class RequeueForm(FlaskForm):
    """Return to the queue: nothing to fill in, its CSRF token guards the change."""
