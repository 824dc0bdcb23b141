"""Pieces every configuration service shares: ids, paging, search and checking input fields.

Views and the REST API hand services plain dicts (from WTForms or from JSON), so every rule,
including the type of each value, is checked here once, against the record's shape in
app/domain/shapes, and reported per field.
"""

import functools
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Annotated

from bson import ObjectId
from bson.errors import InvalidId
from pydantic import BaseModel, TypeAdapter, ValidationError

from app.db import get_db
from app.domain.fields import Ref, message
from app.services.errors import NotFound, ServiceError, ValidationFailed
from app.services.serialize import plain

PER_PAGE_DEFAULT = 25
PER_PAGE_MAX = 100


def now():
    return datetime.now(timezone.utc)


def object_id(value, noun="record"):
    """`value` as an ObjectId, or NotFound: a malformed id names nothing that exists."""
    if isinstance(value, ObjectId):
        return value
    try:
        return ObjectId(str(value))
    except (InvalidId, TypeError):
        raise NotFound(f"No such {noun}.") from None


def fetch(collection, record_id, noun):
    doc = get_db()[collection].find_one({"_id": object_id(record_id, noun)})
    if doc is None:
        raise NotFound(f"No such {noun}.")
    return doc


def contains(text):
    """A case-insensitive substring match for user-typed search text, escaped."""
    return {"$regex": re.escape(text.strip()), "$options": "i"}


def page_number(raw, default, name, maximum=None):
    """Parse a paging argument; anything but a whole number from 1 (to `maximum`) is a 400, never
    silently changed: a client asking for 500 items must learn it gets at most 100."""
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = 0
    if value < 1 or (maximum and value > maximum):
        rule = f"from 1 to {maximum}" if maximum else "of 1 or more"
        raise ServiceError("Invalid paging argument.", {name: f"Must be a whole number {rule}."})
    return value


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.per_page))

    def meta(self):
        return {"page": self.page, "per_page": self.per_page, "total": self.total, "pages": self.pages}


def paginate(collection, query, sort, page=None, per_page=None):
    page = page_number(page, 1, "page")
    per_page = page_number(per_page, PER_PAGE_DEFAULT, "per_page", PER_PAGE_MAX)
    coll = get_db()[collection]
    total = coll.count_documents(query)
    items = list(coll.find(query).sort(sort).skip((page - 1) * per_page).limit(per_page))
    return Page(items, total, page, per_page)


class Fields:
    """Checks one input dict against its shape (app/domain/shapes), collecting a message per field.

    `partial` (a PATCH) checks only the fields present; a missing or null field takes the shape's
    default. Ids must name existing documents and are stored as ObjectIds. Services add their own
    rules with `fail`; `finish()` raises ValidationFailed with every problem at once.
    """

    def __init__(self, shape, data, partial=False):
        if not isinstance(data, dict):
            raise ServiceError("Send a JSON object.")
        self.data = data
        self.partial = partial
        self.errors = {}
        self.values = self._check(shape, data, partial, "")

    def fail(self, name, message):
        self.errors.setdefault(name, message)

    def nested(self, name, shape):
        """Check the object under `name`, which its shape left to the service (e.g. per provider)."""
        if self.partial and name not in self.data:
            return None
        self.values[name] = self._section(shape, self.data.get(name), self.partial, name)
        return self.values[name]

    def _section(self, shape, raw, partial, name):
        if raw is not None and not isinstance(raw, dict):
            self.fail(name, "Must be an object.")
            raw = {}
        return self._check(shape, raw or {}, partial, f"{name}.")

    def _check(self, shape, data, partial, prefix):
        values = {}
        for name, info in shape.model_fields.items():
            if partial and name not in data:
                continue
            raw = data.get(name)
            if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
                values[name] = self._section(info.annotation, raw, partial and name in data, prefix + name)
                continue
            if raw is None and not info.is_required():
                raw = info.get_default(call_default_factory=True)
            try:
                value = _validator(shape, name).validate_python(raw, strict=True)
            except ValidationError as exc:
                self.fail(prefix + name, message(exc.errors()[0]))
                continue
            ref = next((m for m in info.metadata if isinstance(m, Ref)), None)
            values[name] = self._existing(prefix + name, value, ref) if ref else value
        for name in data:
            if name not in shape.model_fields:
                self.fail(prefix + name, "Unknown field.")
        return values

    def _existing(self, name, value, ref):
        """The id or ids in `value` as ObjectIds, when each names a document of `ref.collection`."""
        if value is None:
            return None
        oids = [ObjectId(v) for v in (value if isinstance(value, list) else [value])]
        found = {d["_id"] for d in get_db()[ref.collection].find({"_id": {"$in": oids}}, {"_id": 1})}
        missing = [str(o) for o in oids if o not in found]
        if missing:
            return self.fail(name, f"No such {ref.noun}: {', '.join(missing)}.")
        return oids if isinstance(value, list) else oids[0]

    def finish(self, message="Check the highlighted fields."):
        if self.errors:
            raise ValidationFailed(message, self.errors)
        return self.values


def checked(shape, data, headline="Check the highlighted fields.", refusal=ValidationFailed, strict=False, say=None):
    """`data` read through `shape` (an interaction body or query), or `refusal` naming each field
    it refuses: the limits the OpenAPI document publishes are the ones enforced. `say` gives a
    field (or the object it is in) its own sentence, or a function of the pydantic error giving
    it; `strict` refuses "3" for a number (JSON)."""
    if not isinstance(data, dict):
        raise refusal("Send a JSON object.")
    try:
        return shape.model_validate(data, strict=strict)
    except ValidationError as exc:
        errors = {}
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"])
            own = next((text for key, text in (say or {}).items() if name == key or name.startswith(key + ".")), None)
            errors.setdefault(name, (own(error) if callable(own) else own) or message(error))
        raise refusal(headline, errors) from None


@functools.cache
def _validator(shape, name):
    info = shape.model_fields[name]
    return TypeAdapter(Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation)


def public(doc, *, drop=()):
    """A document as JSON-ready data: `id` instead of `_id`, ids and dates as strings."""

    def convert(value):
        if isinstance(value, ObjectId):
            return str(value)
        if isinstance(value, datetime):
            return plain(value)  # ISO 8601 in UTC with its zone: the embedded engine returns naive datetimes
        if isinstance(value, list):
            return [convert(v) for v in value]
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        return value

    out = {"id": str(doc["_id"])}
    out.update({k: convert(v) for k, v in doc.items() if k != "_id" and k not in drop})
    return out


def dotted(changes, prefix=""):
    """`changes` with nested objects as dotted paths, for a $set that changes only what was sent:
    {"routing": {"priority": 3}} → {"routing.priority": 3}."""
    flat = {}
    for name, value in changes.items():
        if isinstance(value, dict):
            flat.update(dotted(value, f"{prefix}{name}."))
        else:
            flat[prefix + name] = value
    return flat
