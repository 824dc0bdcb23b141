"""The account's reply routing rules as an admin enters them: [{id, queue_id}], checked before saving.

What the rules do when a customer chooses is app/services/conversations/reply_rules.py.
"""

from bson import ObjectId

from app.db import get_db
from app.domain.interactive import LIMITS

MAX_ROUTES = 50


def checked(raw):
    """(routes with queue ids as ObjectIds, None) or (None, the sentence saying what is wrong)."""
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        return None, "Must be a list of {id, queue_id}."
    if len(raw) > MAX_ROUTES:
        return None, f"At most {MAX_ROUTES} rules."
    routes = []
    for rule in raw:
        choice, queue_id = rule.get("id"), rule.get("queue_id")
        if set(rule) - {"id", "queue_id"} or not isinstance(choice, str) or not choice.strip():
            return None, "Each rule needs a button or row id and a queue."
        if len(choice.strip()) > LIMITS["button_id"]:
            return None, f"Ids have at most {LIMITS['button_id']} characters."
        if not ObjectId.is_valid(str(queue_id)) or not get_db().queues.count_documents({"_id": ObjectId(str(queue_id))}):
            return None, f"No such queue for “{choice.strip()}”."
        routes.append({"id": choice.strip(), "queue_id": ObjectId(str(queue_id))})
    if len({r["id"] for r in routes}) != len(routes):
        return None, "Each id may have one rule only."
    return routes, None
