"""Pieces every configuration service shares: ids, paging, search and checking input fields.

Views and the REST API hand services plain dicts (from WTForms or from JSON), so every rule,
including the type of each value, is checked here once and reported per field.
"""

import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from bson import ObjectId
from bson.errors import InvalidId

from app.db import get_db
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
    """Checks one input dict field by field, collecting an error per field.

    `partial` (a PATCH) checks only the fields present. Each checker stores the cleaned
    value in `values` and returns it (None when absent). `finish()` rejects unknown fields
    and raises ValidationFailed with every problem at once.
    """

    def __init__(self, data, partial=False):
        if not isinstance(data, dict):
            raise ServiceError("Send a JSON object.")
        self.data = data
        self.partial = partial
        self.errors = {}
        self.values = {}
        self._known = set()
        self._sections = {}

    def _take(self, name):
        self._known.add(name)
        if name not in self.data:
            return (False, None)
        return (True, self.data[name])

    def raw(self, name):
        """The value as sent, for checks of structured values done by the caller."""
        return self._take(name)[1]

    def skip(self, name):
        """True when the field is absent from a partial update (nothing to check)."""
        return self.partial and name not in self.data

    def fail(self, name, message):
        self.errors.setdefault(name, message)

    def text(self, name, required=False, max_len=200, default=""):
        present, value = self._take(name)
        if not present and self.partial:
            return None
        value = default if value is None else value
        if not isinstance(value, str):
            return self.fail(name, "Must be text.")
        value = value.strip()
        if required and not value:
            return self.fail(name, "Required.")
        if len(value) > max_len:
            return self.fail(name, f"At most {max_len} characters.")
        self.values[name] = value
        return value

    def boolean(self, name, default=False):
        present, value = self._take(name)
        if not present and self.partial:
            return None
        value = default if value is None else value
        if not isinstance(value, bool):
            return self.fail(name, "Must be true or false.")
        self.values[name] = value
        return value

    def integer(self, name, default=None, minimum=None, maximum=None):
        present, value = self._take(name)
        if not present and self.partial:
            return None
        value = default if value is None else value
        if isinstance(value, bool) or not isinstance(value, int):
            return self.fail(name, "Must be a whole number.")
        if minimum is not None and value < minimum:
            return self.fail(name, f"Must be at least {minimum}.")
        if maximum is not None and value > maximum:
            return self.fail(name, f"Must be at most {maximum}.")
        self.values[name] = value
        return value

    def choice(self, name, choices, default=None):
        present, value = self._take(name)
        if not present and self.partial:
            return None
        value = default if value is None else value
        if value not in choices or not isinstance(value, str):
            return self.fail(name, f"Must be one of: {', '.join(choices)}.")
        self.values[name] = value
        return value

    def string_list(self, name, max_items=50, max_len=100, choices=None, default=()):
        present, value = self._take(name)
        if not present and self.partial:
            return None
        value = list(default) if value is None else value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return self.fail(name, "Must be a list of text values.")
        cleaned = list(dict.fromkeys(v.strip() for v in value if v.strip()))
        if len(cleaned) > max_items or any(len(v) > max_len for v in cleaned):
            return self.fail(name, f"At most {max_items} values of {max_len} characters.")
        if choices is not None and any(v not in choices for v in cleaned):
            return self.fail(name, f"Each value must be one of: {', '.join(choices)}.")
        self.values[name] = cleaned
        return cleaned

    def reference(self, name, collection, noun, required=False):
        """An id of an existing document in `collection`, stored as an ObjectId (or None)."""
        present, value = self._take(name)
        if not present and self.partial:
            return None
        if value in (None, ""):
            if required:
                return self.fail(name, "Required.")
            self.values[name] = None
            return None
        oid = self._existing(name, [value], collection, noun)
        if oid:
            self.values[name] = oid[0]
            return oid[0]
        return None

    def references(self, name, collection, noun, query=None):
        present, value = self._take(name)
        if not present and self.partial:
            return None
        value = [] if value is None else value
        if not isinstance(value, list):
            return self.fail(name, "Must be a list of ids.")
        oids = self._existing(name, list(dict.fromkeys(str(v) for v in value)), collection, noun, query)
        if oids is not None:
            self.values[name] = oids
        return oids

    def _existing(self, name, raw_ids, collection, noun, query=None):
        try:
            oids = [v if isinstance(v, ObjectId) else ObjectId(str(v)) for v in raw_ids]
        except (InvalidId, TypeError):
            return self.fail(name, f"Not a valid {noun} id.")
        found = {d["_id"] for d in get_db()[collection].find({"_id": {"$in": oids}, **(query or {})}, {"_id": 1})}
        missing = [str(o) for o in oids if o not in found]
        if missing:
            return self.fail(name, f"No such {noun}: {', '.join(missing)}.")
        return oids

    def section(self, name):
        """Checks for a nested object; its errors are reported as `name.field`. None when absent from a PATCH."""
        present, value = self._take(name)
        if not present and self.partial:
            return None
        value = {} if value is None else value
        if not isinstance(value, dict):
            self.fail(name, "Must be an object.")
            value = {}
        child = Fields(value, self.partial and present)
        self._sections[name] = child
        return child

    def finish(self, message="Check the highlighted fields."):
        for name, child in self._sections.items():
            try:
                self.values[name] = child.finish()
            except ValidationFailed as exc:
                self.errors.update({f"{name}.{key}": text for key, text in exc.fields.items()})
        for name in self.data:
            if name not in self._known:
                self.fail(name, "Unknown field.")
        if self.errors:
            raise ValidationFailed(message, self.errors)
        return self.values


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
