"""Copies of stored documents without copy.deepcopy's walk in Python over every value.

mongomock copies a document before each update (to roll back one a server would refuse), every
document a query returns, and values it stores. copy.deepcopy visits each value through its
memo and dispatch table, so an interaction holding a few thousand search terms made each update
of it cost milliseconds, growing with the conversation (measured by bench/inbound_http.py).
Stored documents are BSON-shaped: dicts, lists and immutable values. Those are copied here
structurally, immutable values shared as a deep copy shares them; anything else (a subclass, a
mutable value of another type) still goes to copy.deepcopy.
"""

import copy
import datetime
import decimal
import types
import uuid

import bson

_IMMUTABLE = frozenset(
    {
        str,
        int,
        float,
        bool,
        type(None),
        bytes,
        bson.ObjectId,
        bson.Int64,
        bson.Decimal128,
        bson.Timestamp,
        bson.MinKey,
        bson.MaxKey,
        datetime.datetime,
        datetime.date,
        datetime.timedelta,
        decimal.Decimal,
        uuid.UUID,
    }
)


def document_copy(value, memo=None):
    """A deep copy of a BSON-shaped value."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if kind is dict:
        return {key: item if type(item) in _IMMUTABLE else document_copy(item) for key, item in value.items()}
    if kind is list:
        if _IMMUTABLE.issuperset(map(type, value)):  # a list of plain values (search terms, tags): one C-level copy
            return value.copy()
        return [item if type(item) in _IMMUTABLE else document_copy(item) for item in value]
    return copy.deepcopy(value, memo)


def copy_documents_quickly(collection_module):
    """Make the mongomock module `collection_module` deep-copy with document_copy."""
    if getattr(collection_module.copy, "documents_copied_quickly", False):
        return
    collection_module.copy = types.SimpleNamespace(
        deepcopy=document_copy, copy=copy.copy, documents_copied_quickly=True
    )
