"""Canned answers: reusable replies with placeholders, offered to the agents of chosen queues."""

import re

from pydantic import TypeAdapter, ValidationError
from pymongo.errors import DuplicateKeyError

from app.db import get_db
from app.domain.fields import message
from app.domain.interactive import LIMITS, ReplyButton
from app.domain.shapes import CannedAnswer
from app.services.errors import Conflict, NotFound
from app.services.setup.records import Fields, contains, fetch, now, paginate, public

NOUN = "canned answer"
PLACEHOLDERS = (
    "contact.first_name",
    "contact.last_name",
    "contact.phone",
    "contact.mobile",
    "contact.email",
    "contact.company",
    "agent.name",
    "agent.email",
    "account.name",
)
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
BUTTONS = TypeAdapter(list[ReplyButton])


def _check(data, partial):
    fields = Fields(CannedAnswer, data, partial)
    text = fields.values.get("text")
    if text:
        unknown = sorted({p for p in PLACEHOLDER.findall(text) if p not in PLACEHOLDERS})
        if unknown:
            fields.fail(
                "text", f"Unknown placeholder {{{unknown[0]}}}; use one of: " + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS) + "."
            )
    if "buttons" in fields.values:
        _check_buttons(fields)
    return fields.finish("The canned answer cannot be saved.")


def _check_buttons(fields):
    """Up to 3 reply buttons within WhatsApp's limits; with buttons, the text is the message's body."""
    try:
        buttons = BUTTONS.validate_python(fields.values["buttons"])
    except ValidationError as exc:
        error = exc.errors()[0]
        where = f"Button {error['loc'][0] + 1}, {error['loc'][1]}: " if len(error["loc"]) == 2 else ""
        return fields.fail("buttons", where + message(error))
    if len(buttons) > LIMITS["buttons"]:
        return fields.fail("buttons", f"At most {LIMITS['buttons']} buttons.")
    if len({b.id for b in buttons}) != len(buttons):
        return fields.fail("buttons", "Each button needs its own id.")
    if buttons and len(fields.values.get("text") or "") > LIMITS["body"]:
        fields.fail("text", f"With buttons, at most {LIMITS['body']} characters.")
    fields.values["buttons"] = [b.model_dump() for b in buttons]
    return None


def _duplicate():
    return Conflict("A canned answer with this title already exists.", {"title": "Already in use."})


def list_answers(search=None, page=None, per_page=None, queue_ids=None):
    """`queue_ids` limits the list to answers offered in any of those queues (an agent's view)."""
    query = {}
    if search:
        query["title"] = contains(search)
    if queue_ids is not None:
        query["queue_ids"] = {"$in": list(queue_ids)}
    return paginate("canned_answers", query, [("title", 1)], page, per_page)


def get_answer(answer_id, queue_ids=None):
    doc = fetch("canned_answers", answer_id, NOUN)
    if queue_ids is not None and not set(doc.get("queue_ids", [])) & set(queue_ids):
        raise NotFound(f"No such {NOUN}.")  # the same answer as an unknown id
    return doc


def create_answer(data):
    doc = _check(data, partial=False)
    doc["created_at"] = doc["updated_at"] = now()
    try:
        doc["_id"] = get_db().canned_answers.insert_one(doc).inserted_id
    except DuplicateKeyError:
        raise _duplicate() from None
    return doc


def update_answer(answer_id, data):
    doc = get_answer(answer_id)
    changes = _check(data, partial=True)
    changes["updated_at"] = now()
    try:
        get_db().canned_answers.update_one({"_id": doc["_id"]}, {"$set": changes})
    except DuplicateKeyError:
        raise _duplicate() from None
    return {**doc, **changes}


def delete_answer(answer_id):
    doc = get_answer(answer_id)
    get_db().canned_answers.delete_one({"_id": doc["_id"]})
    return doc


def public_answer(doc):
    return public(doc)
