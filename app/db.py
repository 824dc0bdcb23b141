"""The one place that opens MongoDB, and the declaration of every index the app needs.

`mongodb://` and `mongodb+srv://` URIs go to pymongo; `mongomock://host/dbname` opens the
embedded in-process engine, whose data lives in this process's memory only.
"""

import copy
import logging
import os
import threading
from dataclasses import dataclass, field
from urllib.parse import urlparse

import bson
import pymongo
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DocumentTooLarge, DuplicateKeyError, OperationFailure, WriteError

log = logging.getLogger(__name__)

_state = {"client": None, "db": None, "embedded": False, "uri": None, "pid": None}


@dataclass(frozen=True)
class IndexSpec:
    collection: str
    keys: tuple  # ((field, direction), ...)
    options: dict = field(default_factory=dict)

    @property
    def name(self):
        return self.options.get("name") or "_".join(f"{k}_{d}" for k, d in self.keys)

    @property
    def create_options(self):
        """The options create_index takes besides the name."""
        return {k: v for k, v in self.options.items() if k != "name"}


def index(collection, *keys, **options):
    return IndexSpec(collection, tuple(keys), options)


# Every query shape the app runs is served by one of these (tests check it).
INDEXES = [
    index("users", ("email", ASCENDING), unique=True),
    index("users", ("role", ASCENDING), ("name", ASCENDING)),
    index("api_tokens", ("token_hash", ASCENDING), unique=True),
    index("api_tokens", ("user_id", ASCENDING), ("created_at", DESCENDING)),
    index("queues", ("name", ASCENDING), unique=True),
    index("queues", ("agent_ids", ASCENDING)),
    index("accounts", ("webhook_key", ASCENDING), unique=True),
    index("accounts", ("name", ASCENDING)),
    index("accounts", ("provider", ASCENDING), ("credentials.phone_number_id", ASCENDING)),
    index("contact_lists", ("name", ASCENDING), unique=True),
    index("job_probes", ("probe_id", ASCENDING), unique=True),
    # Admin configuration (pages and REST API): lists sorted by name, filters and reference checks.
    index("users", ("name", ASCENDING)),
    index("accounts", ("provider", ASCENDING), ("name", ASCENDING)),
    index("accounts", ("phone", ASCENDING)),
    index("accounts", ("queue_id", ASCENDING)),
    index("accounts", ("contact_list_id", ASCENDING)),
    index("accounts", ("settings.recontact_template_id", ASCENDING)),
    index("templates", ("account_id", ASCENDING), ("name", ASCENDING), ("language", ASCENDING), unique=True),
    index("templates", ("name", ASCENDING), ("language", ASCENDING)),
    index("templates", ("available_for_agents", ASCENDING), ("name", ASCENDING)),
    index("canned_answers", ("title", ASCENDING), unique=True),
    index("canned_answers", ("queue_ids", ASCENDING), ("title", ASCENDING)),
    index("dispositions", ("name", ASCENDING), unique=True),
    index("tags", ("name", ASCENDING), unique=True),
    index("contacts", ("list_id", ASCENDING), ("phone", ASCENDING), unique=True),
    index("contacts", ("list_id", ASCENDING), ("last_name", ASCENDING), ("first_name", ASCENDING)),
    index("contacts", ("last_name", ASCENDING), ("first_name", ASCENDING)),
    index("contacts", ("tags", ASCENDING)),
]


DAY = 24 * 3600

# Interaction engine: open-interaction uniqueness, status and reaction look-ups by provider id,
# offers, the window-expiry job, and dedup keys of provider deliveries.
INDEXES += [
    index(
        "interactions",
        ("account_id", ASCENDING),
        ("contact_id", ASCENDING),
        unique=True,
        partialFilterExpression={"is_open": True},
        name="one_open_interaction_per_contact",
    ),
    index("interactions", ("account_id", ASCENDING), ("contact_id", ASCENDING), ("created_at", DESCENDING)),
    index("interactions", ("account_id", ASCENDING), ("messages.provider_message_id", ASCENDING)),
    index("interactions", ("status", ASCENDING), ("queue_id", ASCENDING), ("created_at", ASCENDING)),
    index("interactions", ("status", ASCENDING), ("all_rejected_at", ASCENDING)),
    index("interactions", ("window_expired", ASCENDING), ("window_expires_at", ASCENDING)),
    index("interactions", ("agent_id", ASCENDING), ("status", ASCENDING)),
    index("webhook_events", ("at", ASCENDING), expireAfterSeconds=8 * DAY),
    index("pending_statuses", ("account_id", ASCENDING), ("provider_message_id", ASCENDING)),
    index("pending_statuses", ("at", ASCENDING), expireAfterSeconds=7 * DAY),
    index("contacts", ("list_id", ASCENDING), ("mobile", ASCENDING)),
    # The interactions list: each filter leads an index, sorted by start date.
    index("interactions", ("created_at", DESCENDING)),
    index("interactions", ("last_message.at", DESCENDING)),
    index("interactions", ("queue_id", ASCENDING), ("created_at", DESCENDING)),
    index("interactions", ("account_id", ASCENDING), ("created_at", DESCENDING)),
    index("interactions", ("first_agent_id", ASCENDING), ("created_at", DESCENDING)),
    index("interactions", ("tags", ASCENDING), ("created_at", DESCENDING)),
    index("interactions", ("search_terms", ASCENDING)),
    index("interactions", ("unread", ASCENDING), ("created_at", DESCENDING)),
    index("interactions", ("is_open", ASCENDING), ("window_expires_at", ASCENDING)),
    # The reconciler's stuck sends and downloads (app/services/conversations/reconcile.py).
    index("interactions", ("messages.status", ASCENDING)),
    index("interactions", ("messages.media.state", ASCENDING)),
    index("interactions", ("reopened_at", ASCENDING), ("created_at", DESCENDING)),
]

# Providers and webhooks: the admins' re-authorization banner (accounts by status, by name) and
# webhook events that could not be stored, kept a month for replay.
INDEXES += [
    index("accounts", ("status", ASCENDING), ("name", ASCENDING)),
    index("webhook_failures", ("at", ASCENDING), expireAfterSeconds=30 * DAY),
    # Provider errors in full, for admins on the interaction page; kept a month.
    index("provider_errors", ("interaction_id", ASCENDING), ("at", DESCENDING)),
    index("provider_errors", ("at", ASCENDING), expireAfterSeconds=30 * DAY),
]


# The embedded engine changes documents in place without locks; MongoDB makes each single-document
# write atomic (an $inc never loses a concurrent $inc). One lock around the engine's writes gives
# the web threads and the embedded worker the same guarantee.
_EMBEDDED_WRITE_LOCK = threading.RLock()
_EMBEDDED_WRITES = ("_insert", "_update", "_find_and_modify", "_delete")


def _serialize_embedded_writes(collection_class):
    for name in _EMBEDDED_WRITES:
        original = getattr(collection_class, name)
        if getattr(original, "serialized", False):
            continue

        def locked(self, *args, _original=original, **kwargs):
            with _EMBEDDED_WRITE_LOCK:
                return _original(self, *args, **kwargs)

        locked.serialized = True
        setattr(collection_class, name, locked)


MAX_DOCUMENT_BYTES = 16 * 1024 * 1024  # a server's maxBsonObjectSize
_COMMAND_OVERHEAD = 16382  # what pymongo allows a write command beyond it


def _updater_in_bson_order(pick):
    """$max/$min as a server applies them: values of different types (a date against null) compare
    by BSON type order, where the embedded engine's Python comparison raises TypeError."""
    from mongomock.filtering import BsonComparable  # the embedded engine's, loaded only when it runs

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
    from mongomock import helpers  # the embedded engine's, loaded only when it runs

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


def _behave_like_a_server(collection_module):
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


def connect(uri):
    """Open the database named by `uri` and remember it for `get_db()`."""
    parsed = urlparse(uri)
    name = parsed.path.lstrip("/").split("?")[0] or "parley"
    if parsed.scheme == "mongomock":
        # Loaded only for the embedded engine: a process on a MongoDB server never imports it.
        import mongomock
        import mongomock.gridfs

        mongomock.gridfs.enable_gridfs_integration()
        _behave_like_a_server(mongomock.collection)
        _serialize_embedded_writes(mongomock.collection.Collection)
        client = mongomock.MongoClient()
        embedded = True
    elif parsed.scheme in ("mongodb", "mongodb+srv"):
        client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=3000, tz_aware=True)
        name = client.get_default_database(default=name).name
        embedded = False
    else:
        raise ValueError(f"MONGO_URI must start with mongodb://, mongodb+srv:// or mongomock://, got {uri!r}")
    _state.update(client=client, db=client[name], embedded=embedded, uri=uri, pid=os.getpid())
    return _state["db"]


def _client():
    """This process's client. A process forked after connect() (an RQ work horse) opens its own:
    a pymongo client is not fork-safe, and its sockets and locks belong to the parent."""
    if _state["client"] is None:
        raise RuntimeError("the database is not connected: call create_app() first")
    if _state["pid"] != os.getpid():
        connect(_state["uri"])
    return _state["client"]


def client_pid():
    """The process that opened the client get_db() uses."""
    return _state["pid"]


def get_db():
    _client()
    return _state["db"]


def is_embedded():
    return _state["embedded"]


# IndexOptionsConflict, IndexKeySpecsConflict: an index of that name or keys exists, declared otherwise.
INDEX_CONFLICT_CODES = (85, 86)
# What index_information() reports besides the key and the options an index is declared with.
_INDEX_BOOKKEEPING = ("key", "v", "ns", "name", "background")


def ensure_indexes(db=None):
    """Create every declared index; safe to run at every start. An existing index that differs from
    its declaration (an upgrade changed it) is left as it is and described, one line each, in the
    list returned and the log: the process carries on with the old index until an operator migrates."""
    db = db if db is not None else get_db()
    conflicts = []
    for spec in INDEXES:
        try:
            _create(db[spec.collection], spec)
        except pymongo.errors.OperationFailure as exc:
            if exc.code not in INDEX_CONFLICT_CODES:
                raise
            conflicts.append(_describe_conflict(db[spec.collection], spec))
            log.error("%s", conflicts[-1])
    return conflicts


def _describe_conflict(collection, spec):
    """One line: the index, what differs from its declaration, and how to migrate."""
    options = spec.create_options
    existing = collection.index_information()
    name = spec.name if spec.name in existing else next(n for n, i in existing.items() if i["key"] == list(spec.keys))
    info = existing[name]
    found = {k: v for k, v in info.items() if k not in _INDEX_BOOKKEEPING}
    differences = [f"named {name!r} in the database"] if name != spec.name else []
    if info["key"] != list(spec.keys):
        differences.append(f"keys {list(spec.keys)} declared, {info['key']} in the database")
    for option in sorted(set(options) | set(found)):
        if options.get(option) != found.get(option):
            differences.append(f"{option} {options.get(option)!r} declared, {found.get(option)!r} in the database")
    return (
        f"index {spec.name!r} of {collection.name} differs from its declaration ({'; '.join(differences)}): "
        f"to migrate, run `flask --app wsgi init-db --rebuild {collection.name}.{spec.name}` "
        "(drops it and creates it as declared)"
    )


def rebuild_index(qualified_name, db=None):
    """Drop the index `collection.name` declares, and any index on its keys, then create it as declared.
    Raises KeyError when no declared index has that name, OperationFailure when the server refuses it
    (a unique index over duplicates): the collection is then left without it."""
    db = db if db is not None else get_db()
    spec = {f"{s.collection}.{s.name}": s for s in INDEXES}[qualified_name]
    collection = db[spec.collection]
    for name, info in collection.index_information().items():
        if name == spec.name or info["key"] == list(spec.keys):
            collection.drop_index(name)
    _create(collection, spec)


def _create(collection, spec):
    collection.create_index(list(spec.keys), name=spec.name, **spec.create_options)


def ping():
    """Raise if the database does not answer."""
    if _state["embedded"]:
        get_db().list_collection_names()
    else:
        _client().admin.command("ping")


# Interactions management: new interactions waiting per contact (list badges), a customer's
# journey across accounts (by number), the list's unfiltered "window closing soonest" sort, and
# the dashboard's today figures.
INDEXES += [
    index("interactions", ("window_expires_at", ASCENDING)),
    index("interactions", ("contact_id", ASCENDING), ("status", ASCENDING)),
    index("interactions", ("contact.phone", ASCENDING), ("created_at", DESCENDING)),
    index("interactions", ("closed_at", DESCENDING)),
    # The customer's open interaction on an account by number, whichever contact list holds the contact.
    index("interactions", ("account_id", ASCENDING), ("contact.phone", ASCENDING), ("is_open", ASCENDING)),
]

# The customer simulator: each number it gives out is recorded once, so two sessions never share one.
INDEXES += [
    index("simulator_numbers", ("phone", ASCENDING), unique=True),
]
