"""An interaction's search terms (app/domain/search.py) stay bounded however long it lasts.

Each message adds its new words to `search_terms` in the update that appends it, and counts them
(an over-count: words already there are not added again) in `search_terms_count`. Past MAX_TERMS,
one more update keeps the first MAX_TERMS terms: the contact's name and number, given at creation,
and the conversation's earlier words; the document then never outgrows about 200 KB of terms.

An interaction that holds MAX_TERMS terms takes no more: this process remembers it (by the key its
updates find it with), and later updates leave the words out, so a long conversation's message
costs what its first did instead of an $addToSet over 5,000 terms and a trim every time. A process
that does not know it yet adds one message's words and trims once. Words left out for a key whose
interaction turns out to be another one (the customer's next interaction) are added right after.
"""

from collections import OrderedDict

from app.db import get_db

MAX_TERMS = 5000
#: Interactions remembered as full, per process (the oldest forgotten first).
FULL_REMEMBERED = 10_000

_full = OrderedDict()  # key of the updates -> id of the interaction they found full


def add(update, words, key):
    """Make `update` (of the interaction that `key` finds: a hashable form of its filter) add
    `words`, unless that interaction is known to be full. Returns the words left out (or [])."""
    if not words:
        return []
    if key in _full:
        return words
    update["$addToSet"] = {**update.get("$addToSet", {}), "search_terms": {"$each": words}}
    update["$inc"] = {**update.get("$inc", {}), "search_terms_count": len(words)}
    return []


def settle(key, interaction, left_out):
    """After the update that found `interaction` (None: nothing matched) by `key`: the words left
    out go in after all if it is not the full one; past the bound it is trimmed once, and a full
    interaction is remembered."""
    if interaction is None:
        return
    count = interaction.get("search_terms_count", 0)
    if left_out and _full.get(key) != interaction["_id"]:
        _full.pop(key, None)
        get_db().interactions.update_one(
            {"_id": interaction["_id"]},
            {"$addToSet": {"search_terms": {"$each": left_out}}, "$inc": {"search_terms_count": len(left_out)}},
        )
        count += len(left_out)
    if count > MAX_TERMS:
        get_db().interactions.update_one(
            {"_id": interaction["_id"]},
            {"$push": {"search_terms": {"$each": [], "$slice": MAX_TERMS}}, "$set": {"search_terms_count": MAX_TERMS}},
        )
    if count >= MAX_TERMS:
        _full[key] = interaction["_id"]
        _full.move_to_end(key)
        while len(_full) > FULL_REMEMBERED:
            _full.popitem(last=False)


def key_of(filter_):
    """The hashable form of an update's filter, as `add` and `settle` take it."""
    return tuple(sorted((name, str(value)) for name, value in filter_.items()))
