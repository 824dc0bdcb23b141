"""Where the embedded engine (mongomock) differs from a MongoDB server in what it refuses or how it
orders values, these wrappers make it answer as the server does, with the server's error."""

import copy

import bson
import pymongo
from mongomock import helpers
from mongomock.filtering import BsonComparable
from pymongo.errors import DocumentTooLarge, DuplicateKeyError, OperationFailure, WriteError

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024  # a server's maxBsonObjectSize
_COMMAND_OVERHEAD = 16382  # what pymongo allows a write command beyond it


def _updater_in_bson_order(pick):
    """$max/$min as a server applies them: values of different types (a date against null) compare
    by BSON type order, where the embedded engine's Python comparison raises TypeError."""

    def updater(doc, field_name, value):
        if isinstance(doc, dict):
            current = doc.get(field_name, value)
            doc[field_name] = pick((current, value), key=BsonComparable)

    return updater


def _all_or_nothing(apply_update):
    """A server applies an update to a document entirely or not at all, and pymongo sends none that
    BSON cannot carry; the embedded engine applies operator after operator in place, accepts values
    a server refuses, and leaves the operators before a failing one written."""

    def apply(self, existing_document, spec, document, *args, **kwargs):
        # pymongo refuses what BSON cannot carry (an integer past 2^63, a lone surrogate) before sending
        if len(bson.encode(document)) > MAX_DOCUMENT_BYTES + _COMMAND_OVERHEAD:
            raise DocumentTooLarge("update command document too large")
        if all(name.startswith("$") and isinstance(fields, dict) for name, fields in document.items()):
            touched = {}
            for operator, fields in document.items():
                for path in fields:
                    if "$" in path and operator != "$unset":
                        _refuse_dollar_prefixed_names(path)
                    name, _, rest = path.partition(".")
                    touched.setdefault(name, set()).add((operator, rest))
        else:  # a replacement document
            touched = dict.fromkeys(set(existing_document) | set(document), {("$set", "")})
        before = {
            name: _restorable_copy(value, touched[name]) if name in touched else value
            for name, value in existing_document.items()
        }
        try:
            result = apply_update(self, existing_document, spec, document, *args, **kwargs)
            if len(bson.encode(existing_document)) > MAX_DOCUMENT_BYTES:
                raise WriteError(f"Resulting document after update is larger than {MAX_DOCUMENT_BYTES}", 10334)
            return result
        except BaseException:
            existing_document.clear()
            existing_document.update(before)
            raise

    apply.all_or_nothing = True
    return apply


def _refuse_dollar_prefixed_names(path):
    """MongoDB 5.0+ stores "$"-prefixed names an insert brings, but an update operator may not
    create one: `{"$set": {"raw.$where": ...}}` fails on a server with code 52. Positional
    operators ($, $[], $[name]) are not names."""
    for part in path.split("."):
        if part.startswith("$") and part != "$" and not (part.startswith("$[") and part.endswith("]")):
            raise WriteError(f"The dollar ($) prefixed field '{part}' in '{path}' is not valid for storage.", 52)


LIST_OPERATORS = frozenset({"$push", "$addToSet", "$pull", "$pullAll", "$pop"})


def _restorable_copy(value, changes):
    """`value` copied as deep as the update's `changes` ((operator, path below it)) reach, so a long
    message array costs a list copy, not a copy of every message: appending copies the list, and
    changing message 3 copies the list and message 3."""
    if not isinstance(value, list):
        return copy.deepcopy(value)
    paths = {rest for _, rest in changes}
    if paths == {""} and {operator for operator, _ in changes} <= LIST_OPERATORS:
        return list(value)
    if all(path.split(".")[0].isdigit() for path in paths):
        copied = list(value)
        for index in {int(path.split(".")[0]) for path in paths}:
            if index < len(copied):
                copied[index] = copy.deepcopy(copied[index])
        return copied
    return copy.deepcopy(value)


def _index_conflicts_like_a_server(create_index):
    """A server refuses an index that clashes with an existing one with code 86 (same name, other
    keys) or 85 (same name, other options; same keys under another name). The embedded engine
    raises without a code, or not at all for the last case: these are the server's codes and words."""

    def create(self, key_or_list, *args, **kwargs):
        keys = helpers.create_index_list(key_or_list)
        name = kwargs.get("name") or helpers.gen_index_name(keys)
        existing = self.index_information()
        requested = f"Requested index: {{ key: {dict(keys)}, name: {name!r} }}"
        if name in existing and existing[name]["key"] != keys:
            raise pymongo.errors.OperationFailure(
                "An existing index has the same name as the requested index. When index names are not specified, "
                f"they are auto generated and can cause conflicts. {requested}, existing index: {existing[name]}",
                86,
            )
        for other, info in existing.items():
            if other != name and info["key"] == keys:
                raise pymongo.errors.OperationFailure(f"Index already exists with a different name: {other}", 85)
        try:
            return create_index(self, key_or_list, *args, **kwargs)
        except pymongo.errors.OperationFailure as exc:
            if exc.code is not None:
                raise
            raise pymongo.errors.OperationFailure(
                "An equivalent index already exists with the same name but different options. "
                f"{requested}, existing index: {existing[name]}",
                85,
            ) from None

    create.like_a_server = True
    return create


def _insert_within_size(insert):
    """A server refuses to store a document over 16 MB (pymongo passes it on, the server answers
    with a write error); the embedded engine stores any size."""

    def checked(self, data, *args, **kwargs):
        if isinstance(data, dict):
            size = len(bson.encode(data))
            if size > MAX_DOCUMENT_BYTES:
                raise WriteError(f"object to insert too large. size in bytes: {size}, max size: {MAX_DOCUMENT_BYTES}", 2)
        return insert(self, data, *args, **kwargs)

    return checked


def _command_errors(find_and_modify):
    """find_one_and_* is a command on a server: what refuses the write comes back as OperationFailure
    (a duplicate key still as DuplicateKeyError), where the embedded engine raises a WriteError."""

    def run(self, *args, **kwargs):
        try:
            return find_and_modify(self, *args, **kwargs)
        except DuplicateKeyError:
            raise
        except WriteError as exc:
            raise OperationFailure(str(exc), exc.code) from None

    return run


def behave_like_a_server(collection_module):
    collection_module._updaters.update({"$max": _updater_in_bson_order(max), "$min": _updater_in_bson_order(min)})
    collection_class = collection_module.Collection
    if not getattr(collection_class._apply_update_document, "all_or_nothing", False):
        collection_class._apply_update_document = _all_or_nothing(collection_class._apply_update_document)
    if not getattr(collection_class.create_index, "like_a_server", False):
        collection_class.create_index = _index_conflicts_like_a_server(collection_class.create_index)
    if not getattr(collection_class, "refuses_like_a_server", False):  # once: the write lock wraps these next
        collection_class._insert = _insert_within_size(collection_class._insert)
        collection_class._find_and_modify = _command_errors(collection_class._find_and_modify)
        collection_class.refuses_like_a_server = True
