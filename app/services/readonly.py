"""Read-only documents: a cached document shared by every reader without a copy per read.

``freeze`` turns the dicts and lists of a document (as MongoDB returns it) into ``ReadOnlyDict``
and ``ReadOnlyList``: real dicts and lists for every reader (JSON, BSON, ``==``, ``dict(...)``),
whose changing methods raise TypeError. ``thaw`` gives back a plain copy a caller may change,
much faster than ``copy.deepcopy`` since only dicts and lists are rebuilt. Values of other types
are immutable in documents (str, numbers, ObjectId, datetime…); one of an unknown type is
deep-copied by both, so a caller never shares it with the next.
"""

import copy
import datetime
import decimal
import uuid

from bson import Decimal128, ObjectId, Timestamp

_ATOMIC = frozenset({str, int, float, bool, type(None), bytes, ObjectId, datetime.datetime, datetime.date})
_IMMUTABLE = (str, int, float, bytes, ObjectId, datetime.date, datetime.time, datetime.timedelta, decimal.Decimal,
              Decimal128, Timestamp, uuid.UUID, frozenset)
_REFUSAL = "this document is shared read-only: change a copy (readonly.thaw) instead"


def _refuse(self, *args, **kwargs):
    raise TypeError(_REFUSAL)


class _Shared:
    """Copies of a read-only container are plain ones: ``copy.copy`` is shallow, ``copy.deepcopy``
    and pickling thaw it all."""

    __slots__ = ()
    _plain = dict

    def __copy__(self):
        return self._plain(self)

    def __deepcopy__(self, memo):
        return thaw(self)

    def __reduce__(self):
        return self._plain, (thaw(self),)


class ReadOnlyDict(_Shared, dict):
    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse


class ReadOnlyList(_Shared, list):
    __slots__ = ()
    _plain = list
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse


def freeze(value):
    """A read-only deep copy of ``value`` (itself when it is already one)."""
    kind = type(value)
    if kind in _ATOMIC or kind is ReadOnlyDict or kind is ReadOnlyList:
        return value
    if isinstance(value, dict):
        return ReadOnlyDict({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list):
        return ReadOnlyList([freeze(item) for item in value])
    if kind is tuple:
        return tuple(freeze(item) for item in value)
    if isinstance(value, _IMMUTABLE):
        return value
    return copy.deepcopy(value)


def thaw(value):
    """A plain copy of a frozen ``value`` that the caller may change."""
    kind = type(value)
    if kind in _ATOMIC:
        return value
    if kind is ReadOnlyDict:
        return {key: item if type(item) in _ATOMIC else thaw(item) for key, item in value.items()}
    if kind is ReadOnlyList:
        return [item if type(item) in _ATOMIC else thaw(item) for item in value]
    if kind is tuple:
        return tuple(thaw(item) for item in value)
    if isinstance(value, _IMMUTABLE):
        return value
    return copy.deepcopy(value)
