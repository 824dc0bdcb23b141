"""Helpers the configuration pages and the REST API share."""

from flask import current_app, request
from wtforms import SelectChoice
from wtforms.validators import Length

from app.domain.fields import limit
from app.web.urls import current_url


def public_base_url():
    """Where providers reach Parley: PARLEY_PUBLIC_URL when set (behind proxies), else this request's host."""
    return (current_app.config.get("PARLEY_PUBLIC_URL") or current_url(request.scheme, request.host)).rstrip("/")


def request_url():
    """``request.url``, as Werkzeug builds it, remembered: a provider calls the same URL every time."""
    return current_url(request.scheme, request.host, request.root_path, request.path, request.query_string)


def apply_errors(form, exc, aliases=None):
    """Put a service's field errors next to the form's fields; return the ones no field shows."""
    aliases = aliases or {}
    leftover = {}
    for key, message in exc.fields.items():
        field = getattr(form, aliases.get(key, key).replace(".", "_"), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            leftover[key] = message
    return leftover


def fits(shape, name):
    """A Length validator with the limit of the shape's field: a form cannot take what the service refuses."""
    return Length(max=limit(shape, name))


def options(pairs):
    """Select options from (value, label) pairs, in the form WTForms asks for."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def lines_of(text):
    """The non-empty lines of a text box, stripped: one rule or item per line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
