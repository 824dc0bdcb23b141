"""The one place that opens MongoDB, and the declaration of every index the app needs.

`mongodb://` and `mongodb+srv://` URIs go to pymongo; `mongomock://host/dbname` opens the
embedded in-process engine, whose data lives in this process's memory only.
"""

import logging
import os
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pymongo
from pymongo import ASCENDING, DESCENDING

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
    index("pause_reasons", ("name", ASCENDING), unique=True),
    index("queues", ("routing.strategy", ASCENDING)),
    # Unique among contacts with a number: a customer known only by a WhatsApp user id has none
    # (app/services/contacts/whatsapp_identity.py).
    index(
        "contacts", ("list_id", ASCENDING), ("phone", ASCENDING),
        unique=True, partialFilterExpression={"phone": {"$type": "string"}},
    ),
    # A campaign's recipients in number order, numberless contacts included (the unique index leaves them out).
    index("contacts", ("list_id", ASCENDING), ("phone", ASCENDING), ("_id", ASCENDING)),
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
    # The answer to a recontact template reopens the latest interaction awaiting it (by contact or number).
    index(
        "interactions",
        ("account_id", ASCENDING), ("contact_id", ASCENDING), ("closed_at", DESCENDING),
        partialFilterExpression={"awaiting_recontact_reply": True},
        name="awaiting_recontact_by_contact",
    ),
    index(
        "interactions",
        ("account_id", ASCENDING), ("contact.phone", ASCENDING), ("closed_at", DESCENDING),
        partialFilterExpression={"awaiting_recontact_reply": True},
        name="awaiting_recontact_by_number",
    ),
    # Also routing's time rules (app/services/routing/customer_idle.py, first_response.py): a queue's open or
    # waiting interactions, found by (status, queue_id), their times checked on the few found. An index on the
    # times themselves would be rewritten on every message.
    index("interactions", ("status", ASCENDING), ("queue_id", ASCENDING), ("created_at", ASCENDING)),
    index("interactions", ("status", ASCENDING), ("all_rejected_at", ASCENDING)),
    index("interactions", ("window_expired", ASCENDING), ("window_expires_at", ASCENDING)),
    # Routing: agents' open conversations (capacity; the (agent_id, status) prefix serves an agent's
    # interactions by status too), the waiting interactions a round offers in the
    # order they joined their queue, and the offers whose time ran out.
    index("interactions", ("agent_id", ASCENDING), ("status", ASCENDING), ("is_open", ASCENDING)),
    index("interactions", ("status", ASCENDING), ("is_open", ASCENDING), ("queue_id", ASCENDING), ("queued_at", ASCENDING)),
    # A waiting customer's estimated wait: the queue's latest accepted interactions (app/services/routing).
    index("interactions", ("queue_id", ASCENDING), ("accepted_at", DESCENDING)),
    index("webhook_events", ("at", ASCENDING), expireAfterSeconds=8 * DAY),
    index("pending_statuses", ("account_id", ASCENDING), ("provider_message_id", ASCENDING)),
    index("pending_statuses", ("at", ASCENDING), expireAfterSeconds=7 * DAY),
    # What sent messages cost, per UTC day, account and category (app/services/conversations/message_pricing.py);
    # reports read a range of days, in this order (app/services/reporting/pricing_report.py).
    index("pricing_daily", ("day", ASCENDING), ("account_id", ASCENDING), ("category", ASCENDING), unique=True),
    index("contacts", ("list_id", ASCENDING), ("mobile", ASCENDING)),
    # The interactions list: each sort, with its `_id` tie-breaker, has an index (no page sorts in
    # memory); each filter leads an index sorted by start date, the default sort.
    index("interactions", ("created_at", DESCENDING), ("_id", DESCENDING)),
    index("interactions", ("last_message.at", DESCENDING), ("_id", DESCENDING)),
    index("interactions", ("queue_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)),
    index("interactions", ("account_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)),
    index("interactions", ("first_agent_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)),
    index("interactions", ("tags", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)),
    index("interactions", ("search_terms", ASCENDING)),
    index("interactions", ("unread", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)),
    index("interactions", ("is_open", ASCENDING), ("window_expires_at", ASCENDING)),
    index("interactions", ("reopened_at", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)),
    index("interactions", ("status", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)),
    index("interactions", ("agent_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)),
    index("interactions", ("contact_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)),
]

# Messages, one document each (app/services/conversations/message_store.py): by position for pages,
# by public id, by provider id (whose unique key is also the deduplication of a provider's repeated
# delivery), the latest scored customer messages, held sends, and what the reconciler looks for.
INDEXES += [
    index("messages", ("interaction_id", ASCENDING), ("position", ASCENDING), unique=True),
    index("messages", ("interaction_id", ASCENDING), ("id", ASCENDING), unique=True),
    index(
        "messages",
        ("account_id", ASCENDING),
        ("provider_message_id", ASCENDING),
        ("direction", ASCENDING),
        unique=True,
        partialFilterExpression={"provider_message_id": {"$type": "string"}},
        name="one_message_per_provider_id",
    ),
    index("messages", ("interaction_id", ASCENDING), ("direction", ASCENDING), ("position", ASCENDING)),
    # The interactions list's search: the conversations holding a word (interaction_search.py).
    index("messages", ("search_terms", ASCENDING)),
    index("messages", ("account_id", ASCENDING), ("held", ASCENDING), partialFilterExpression={"held": True}),
    # The reconciler's stuck sends and downloads (app/services/conversations/reconcile.py).
    index(
        "messages",
        ("status", ASCENDING), ("direction", ASCENDING), ("at", ASCENDING),
        partialFilterExpression={"status": "queued"},
        name="queued_sends",
    ),
    index(
        "messages",
        ("media.state", ASCENDING), ("direction", ASCENDING), ("received_at", ASCENDING),
        partialFilterExpression={"media.state": "pending"},
        name="pending_media",
    ),
]

# Campaigns (app/services/campaigns): the list, newest first; recipients one per number, claimed in
# order by state, counted by state.
INDEXES += [
    index("campaigns", ("created_at", DESCENDING), ("_id", DESCENDING)),
    index("campaigns", ("state", ASCENDING), ("start_at", ASCENDING)),
    # A customer's STOP marks every contact holding the number (app/services/campaigns/opt_out.py).
    index("contacts", ("phone", ASCENDING)),
    index("contacts", ("mobile", ASCENDING)),
    index(
        "campaign_recipients",
        ("campaign_id", ASCENDING),
        ("phone", ASCENDING),
        unique=True,
        partialFilterExpression={"phone": {"$type": "string"}},
        name="one_recipient_per_number",
    ),
    index("campaign_recipients", ("campaign_id", ASCENDING), ("state", ASCENDING), ("_id", ASCENDING)),
    # A sender claims its recipients by the batch (app/services/campaigns/claims.py).
    index("campaign_recipients", ("campaign_id", ASCENDING), ("state", ASCENDING), ("batch", ASCENDING)),
    index("campaign_recipients", ("campaign_id", ASCENDING), ("_id", ASCENDING)),
    index(
        "campaign_recipients",
        ("account_id", ASCENDING),
        ("provider_message_id", ASCENDING),
        partialFilterExpression={"provider_message_id": {"$type": "string"}},
        name="campaign_sends_by_provider_id",
    ),
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


def connect(uri):
    """Open the database named by `uri` and remember it for `get_db()`."""
    parsed = urlparse(uri)
    name = parsed.path.lstrip("/").split("?")[0] or "parley"
    if parsed.scheme == "mongomock":
        # Loaded only for the embedded engine: a process on a MongoDB server never imports it.
        from app import embedded_engine

        client = embedded_engine.open_client()
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
    index("interactions", ("window_expires_at", ASCENDING), ("_id", ASCENDING)),
    index("interactions", ("contact_id", ASCENDING), ("status", ASCENDING)),
    index("interactions", ("contact.phone", ASCENDING), ("created_at", DESCENDING)),
    index("interactions", ("closed_at", DESCENDING)),
    # The customer's open interaction on an account by number, whichever contact list holds the contact.
    index("interactions", ("account_id", ASCENDING), ("contact.phone", ASCENDING), ("is_open", ASCENDING)),
    # The dashboard's assistant figures: the interactions its assistant started over the last days (sparse:
    # only bot-handled interactions have the field).
    index("interactions", ("assistant.started_at", DESCENDING), sparse=True),
]

# The customer simulator: each number it gives out is recorded once, so two sessions never share one.
INDEXES += [
    index("simulator_numbers", ("phone", ASCENDING), unique=True),
]

# Customers named by a business-scoped user id (BSUID), with or without their number
# (app/services/contacts/whatsapp_identity.py): a contact by "<portfolio>/<bsuid>" in its list, the
# customer's open interaction on an account, and one awaiting the answer to a recontact template.
INDEXES += [
    index("contacts", ("list_id", ASCENDING), ("whatsapp_user_ids", ASCENDING)),
    index("interactions", ("account_id", ASCENDING), ("contact.user_id", ASCENDING), ("is_open", ASCENDING)),
    index(
        "interactions",
        ("account_id", ASCENDING), ("contact.user_id", ASCENDING), ("closed_at", DESCENDING),
        partialFilterExpression={"awaiting_recontact_reply": True},
        name="awaiting_recontact_by_user_id",
    ),
]

# Deleting attachments with their interactions (app/services/retention/files.py): the files stored for
# them, and whether a message of another interaction holds one of theirs.
INDEXES += [
    index("media.files", ("metadata.interaction_id", ASCENDING), sparse=True),
    index("messages", ("media.file_id", ASCENDING), sparse=True),
]
