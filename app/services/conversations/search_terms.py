"""An interaction's search terms (app/domain/search.py) stay bounded however long it lasts.

Each message adds its new words to `search_terms` in the update that appends it, and counts them
(an over-count: words already there are not added again) in `search_terms_count`. Past MAX_TERMS,
one more update keeps the first MAX_TERMS terms: the contact's name and number, given at creation,
and the conversation's earlier words; the document then never outgrows about 200 KB of terms.
"""

from app.db import get_db

MAX_TERMS = 5000


def add(update, words):
    """Make `update` (of an interaction) add `words`."""
    if words:
        update["$addToSet"] = {**update.get("$addToSet", {}), "search_terms": {"$each": words}}
        update["$inc"] = {**update.get("$inc", {}), "search_terms_count": len(words)}
    return update


def bound(interaction):
    """Trim the terms of `interaction` (as returned by the update that added some) when past the bound."""
    if interaction is not None and interaction.get("search_terms_count", 0) > MAX_TERMS:
        get_db().interactions.update_one(
            {"_id": interaction["_id"]},
            {"$push": {"search_terms": {"$each": [], "$slice": MAX_TERMS}}, "$set": {"search_terms_count": MAX_TERMS}},
        )
