"""The kinds of input field Parley's shapes are made of, as pydantic types.

Each kind carries its limits once: pydantic checks them, `model_json_schema()` publishes them in
the OpenAPI document, and the forms read them (`limit`). A missing or null value takes the field's
default before it is checked (app/services/records.Fields). A broken rule gives the sentence the
pages and the API show next to the field, so the messages live here too.
"""

import re
import typing
from dataclasses import dataclass
from typing import Annotated, Literal

from annotated_types import MaxLen
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, SkipValidation, StringConstraints
from pydantic_core import PydanticCustomError

OBJECT_ID = "^[0-9a-f]{24}$"
ObjectIdText = Annotated[str, StringConstraints(pattern=OBJECT_ID)]
STRICT = ConfigDict(strict=True, extra="forbid")


def _default(default):
    return lambda value: default if value is None else value


def _problem(message, **context):
    return PydanticCustomError("parley", message, context)


def Text(max_len=200, required=False, pattern=None, mismatch=None):  # noqa: N802 - a type, named like one
    """Text, stripped; `required`: not blank; `pattern`: what the value must match, else `mismatch`."""
    constraints = StringConstraints(strip_whitespace=True, min_length=1 if required else None, max_length=max_len)
    if pattern is None:
        return Annotated[str, constraints, BeforeValidator(_default(""))]

    def check(value):
        if not re.match(pattern, value):
            raise _problem(mismatch)
        return value

    return Annotated[
        str, constraints, Field(json_schema_extra={"pattern": pattern}), AfterValidator(check), BeforeValidator(_default(""))
    ]


def Whole(minimum=None, maximum=None):  # noqa: N802
    return Annotated[int, Field(ge=minimum, le=maximum)]


def Choice(choices):  # noqa: N802
    def check(value):
        if not isinstance(value, str) or value not in choices:
            raise _problem("Must be one of: {choices}.", choices=", ".join(choices))
        return value

    return Annotated[Literal[tuple(choices)], BeforeValidator(check)]


def TextList(max_items=50, max_len=100, choices=None):  # noqa: N802
    """A list of distinct text values, blanks dropped."""
    item = Literal[tuple(choices)] if choices else Annotated[str, StringConstraints(max_length=max_len)]

    def check(value):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _problem("Must be a list of text values.")
        cleaned = list(dict.fromkeys(v.strip() for v in value if v.strip()))
        if len(cleaned) > max_items or any(len(v) > max_len for v in cleaned):
            raise _problem("At most {count} values of {length} characters.", count=max_items, length=max_len)
        if choices is not None and any(v not in choices for v in cleaned):
            raise _problem("Each value must be one of: {choices}.", choices=", ".join(choices))
        return cleaned

    return Annotated[list[item], Field(max_length=max_items), BeforeValidator(check)]


@dataclass(frozen=True)
class Ref:
    """Marks an id (or a list of ids) of a document in `collection`; services check it exists."""

    collection: str
    noun: str


def _id_text(value, noun):
    text = str(value).lower()  # as ObjectId reads it: hex digits in either case
    if not re.match(OBJECT_ID, text):
        raise _problem("Not a valid {noun} id.", noun=noun)
    return text


def Reference(collection, noun, required=False):  # noqa: N802
    """The id of one document; empty or null clears it (unless required)."""

    def check(value):
        if value in (None, ""):
            if required:
                raise _problem("Required.")
            return None
        return _id_text(value, noun)

    kind = ObjectIdText if required else ObjectIdText | None
    return Annotated[kind, Ref(collection, noun), BeforeValidator(check)]


def References(collection, noun):  # noqa: N802
    def check(value):
        if not isinstance(value, list):
            raise _problem("Must be a list of ids.")
        return list(dict.fromkeys(_id_text(v, noun) for v in value))

    return Annotated[list[ObjectIdText], Ref(collection, noun), BeforeValidator(check)]


def Checked(shape):  # noqa: N802
    """A value whose rules the service checks itself (they need more than its shape); `shape` documents it."""
    return Annotated[shape, SkipValidation]


# What pydantic reports for the limits of the kinds above, in the words Parley uses.
MESSAGES = {
    "string_type": "Must be text.",
    "bool_type": "Must be true or false.",
    "int_type": "Must be a whole number.",
    "greater_than_equal": "Must be at least {ge}.",
    "less_than_equal": "Must be at most {le}.",
    "too_short": "Required.",
    "string_too_short": "Required.",
    "too_long": "At most {max_length} characters.",
    "string_too_long": "At most {max_length} characters.",
}


def message(error):
    """The sentence for one pydantic error."""
    template = MESSAGES.get(error["type"])
    return template.format(**error.get("ctx", {})) if template else error["msg"]


def limit(model, name):
    """The longest value a model's text field takes: what a form's Length(max=…) uses."""
    info = model.model_fields[name]
    kinds = [info.annotation, *info.metadata]
    while kinds:  # look inside `X | None` and Annotated[...] too
        kind = kinds.pop(0)
        if isinstance(kind, MaxLen | StringConstraints):
            return kind.max_length
        kinds += [*getattr(kind, "__metadata__", ()), *getattr(kind, "metadata", ()), *typing.get_args(kind)]
    raise LookupError(f"{model.__name__}.{name} has no length limit")
