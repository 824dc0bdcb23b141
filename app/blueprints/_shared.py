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


def nest(data, sections):
    """Form data with the fields of each nested section named `<section>_<field>` gathered under it:
    {"routing_priority": 3} → {"routing": {"priority": 3}} (a form stays flat, a record nested)."""
    nested = {}
    for name, value in data.items():
        section = next((s for s in sections if name.startswith(s + "_")), None)
        if section is None:
            nested[name] = value
        else:
            nested.setdefault(section, {})[name[len(section) + 1 :]] = value
    return nested


def flatten(doc, sections):
    """The inverse of `nest`, for filling a form from a record."""
    flat = {name: value for name, value in doc.items() if name not in sections}
    for section in sections:
        flat.update({f"{section}_{name}": value for name, value in (doc.get(section) or {}).items()})
    return flat
