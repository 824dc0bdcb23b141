"""Dispositions and tags, the short named lists agents pick from when closing an interaction, and
pause reasons, which they pick from when pausing."""

from pymongo.errors import DuplicateKeyError

from app.db import get_db
from app.domain.shapes import Disposition, PauseReason, Tag
from app.services.errors import Conflict
from app.services.setup.records import Fields, contains, fetch, now, paginate, public


class LabelList:
    """One named list stored in `collection`, of `shape` (tags also carry a colour)."""

    def __init__(self, collection, noun, shape):
        self.collection = collection
        self.noun = noun
        self.shape = shape

    def _check(self, data, partial):
        return Fields(self.shape, data, partial).finish(f"The {self.noun} cannot be saved.")

    def list(self, search=None, page=None, per_page=None):
        query = {"name": contains(search)} if search else {}
        return paginate(self.collection, query, [("name", 1)], page, per_page)

    def get(self, record_id):
        return fetch(self.collection, record_id, self.noun)

    def create(self, data):
        doc = self._check(data, partial=False)
        doc["created_at"] = doc["updated_at"] = now()
        try:
            doc["_id"] = get_db()[self.collection].insert_one(doc).inserted_id
        except DuplicateKeyError:
            raise Conflict(f"A {self.noun} with this name already exists.", {"name": "Already in use."}) from None
        return doc

    def update(self, record_id, data):
        doc = self.get(record_id)
        changes = self._check(data, partial=True)
        changes["updated_at"] = now()
        try:
            get_db()[self.collection].update_one({"_id": doc["_id"]}, {"$set": changes})
        except DuplicateKeyError:
            raise Conflict(f"A {self.noun} with this name already exists.", {"name": "Already in use."}) from None
        return {**doc, **changes}

    def delete(self, record_id):
        doc = self.get(record_id)
        get_db()[self.collection].delete_one({"_id": doc["_id"]})
        return doc

    def all_names(self):
        return [d["name"] for d in get_db()[self.collection].find({}, {"name": 1}).sort("name", 1)]

    @staticmethod
    def public(doc):
        return public(doc)


dispositions = LabelList("dispositions", "disposition", Disposition)
tags = LabelList("tags", "tag", Tag)
pause_reasons = LabelList("pause_reasons", "pause reason", PauseReason)
# What agents may pick until an admin writes the list (admins' own reasons replace these).
DEFAULT_PAUSE_REASONS = ("After-call work", "Break", "Lunch", "Training")


def pause_reason_names():
    return pause_reasons.all_names() or list(DEFAULT_PAUSE_REASONS)
