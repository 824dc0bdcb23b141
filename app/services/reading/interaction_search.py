"""The interactions a search box entry finds: each of its words starts a term of the interaction's
own (its contact's name and number) or of one of its messages (app/domain/search.py).

A conversation's words stay on its messages: the interaction, which every message updates, does
not carry them (it was rewritten whole, a growing vocabulary included, at every message). Each
word is looked up in both collections and the interactions it finds are intersected with the
other words'. A word too common to gather everywhere (more than MAX_MATCHES documents in either
collection hold it) is looked up only among the interactions the other words found; when every
word is that common, the search is refused with a reason instead of reading half the database.
"""

import re

from app.db import get_db
from app.services.conversations import message_store

#: Documents read for one word in each collection before it counts as too common to gather alone.
MAX_MATCHES = 10_000


class TooCommon(Exception):
    """Every word of the search is in too many conversations to be gathered."""


def matching_ids(words):
    """The ids of the interactions holding a term that starts with each of `words`."""
    found, common = None, []
    for word in words:
        ids = _holding(word, MAX_MATCHES)
        if ids is None:
            common.append(word)
        else:
            found = ids if found is None else found & ids
    if found is None:
        raise TooCommon(common)
    for word in common:
        if not found:
            break
        found &= _holding(word, None, within=found)
    return found


def _holding(word, limit, within=None):
    """The interactions holding `word` (by contact or by message), or None when more than `limit`
    documents may hold it."""
    filter_ = {"search_terms": {"$regex": "^" + re.escape(word)}}
    if within is not None:
        filter_["_id"] = {"$in": list(within)}
    reads = limit + 1 if limit else 0
    own = [doc["_id"] for doc in get_db().interactions.find(filter_, {"_id": 1}, limit=reads)]
    by_messages, read = message_store.interactions_with_term(word, reads or None, within)
    if limit and (len(own) > limit or read > limit):
        return None
    return set(own) | by_messages
