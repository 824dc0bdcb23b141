"""Who may see and act on an interaction: admins on all; agents on their queues' and their own."""

from bson import ObjectId

from app.db import get_db
from app.services.errors import Forbidden, NotFound, ValidationFailed


def as_oid(value, what="interaction"):
    try:
        return value if isinstance(value, ObjectId) else ObjectId(str(value))
    except Exception:
        raise NotFound(f"No such {what}.") from None


def queue_ids_of(agent_id):
    return [q["_id"] for q in get_db().queues.find({"agent_ids": as_oid(agent_id, "agent")}, {"_id": 1})]


def visibility_filter(actor):
    """The query that limits an interaction search to what `actor` may see."""
    if actor["role"] == "admin":
        return {}
    return {"$or": [{"queue_id": {"$in": queue_ids_of(actor["_id"])}}, {"agent_id": actor["_id"]}]}


def can_see(actor, interaction):
    if actor["role"] == "admin" or interaction.get("agent_id") == actor["_id"]:
        return True
    return interaction.get("queue_id") in queue_ids_of(actor["_id"])


def load_visible(actor, interaction_id, projection=None):
    """The interaction, or NotFound/Forbidden. An inclusion projection gets the fields the check needs."""
    if projection and all(value in (1, True) for value in projection.values()):
        projection = {**projection, "agent_id": 1, "queue_id": 1}
    doc = get_db().interactions.find_one({"_id": as_oid(interaction_id)}, projection)
    if doc is None:
        raise NotFound("No such interaction.")
    if not can_see(actor, doc):
        raise Forbidden("This interaction belongs to a queue you are not in.")
    return doc


def require_owner(actor, interaction):
    """Only the assigned agent (or an admin) acts on an open interaction."""
    if actor["role"] == "admin" or interaction.get("agent_id") == actor["_id"]:
        return
    if interaction.get("agent_id") is None:
        raise Forbidden("Accept the interaction first.")
    raise Forbidden("This interaction is assigned to another agent.")


def require_text(value, field, max_len):
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if not text:
        raise ValidationFailed(f"{field.title()} is required.", {field: "Required."})
    if len(text) > max_len:
        raise ValidationFailed(f"{field.title()} is too long.", {field: f"At most {max_len} characters."})
    return text
