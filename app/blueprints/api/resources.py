"""The API's collections: which service functions serve each, who may call what, its filters and fields.

Routes and the OpenAPI document are both built from this table, so they cannot drift apart.
"""

from dataclasses import dataclass, field

from app.blueprints._shared import public_base_url
from app.services.channel import accounts
from app.services.channel.account_fields import MEDIA_TYPES, PROVIDER_NAMES
from app.services.channel.accounts import READ_RECEIPTS
from app.services.contacts import contact_lists
from app.services.errors import Forbidden
from app.services.people import agents
from app.services.people.users import ROLES
from app.services.setup import canned_answers, queue_admin, template_catalog
from app.services.setup.labels import dispositions, tags
from app.services.setup.queue_admin import queues_of_agent

STR, BOOL, INT = {"type": "string"}, {"type": "boolean"}, {"type": "integer"}
ID = {"type": "string", "pattern": "^[0-9a-f]{24}$"}
IDS = {"type": "array", "items": ID}
STRS = {"type": "array", "items": STR}


def is_admin(user):
    return user["role"] == "admin"


@dataclass
class Resource:
    name: str
    noun: str
    list: object  # (user, **filters) -> Page
    get: object  # (user, id) -> doc
    create: object  # (user, data) -> doc
    update: object  # (user, id, data) -> doc
    delete: object  # (user, id) -> doc
    present: object  # doc -> JSON-ready dict
    fields: dict
    required: tuple = ()
    filters: dict = field(default_factory=dict)  # name -> "text" | "bool" | "id" | tuple of choices
    agent_methods: frozenset = frozenset()
    read_only: dict = field(default_factory=dict)  # fields only in answers: name -> schema

    def allow(self, user, method):
        if not is_admin(user) and method not in self.agent_methods:
            raise Forbidden("Only admins can do this.")


def _agent_queue_ids(user):
    return None if is_admin(user) else [q["_id"] for q in queues_of_agent(user["_id"])]


def _labels(service):
    return {
        "list": lambda user, **kw: service.list(**kw),
        "get": lambda user, rid: service.get(rid),
        "create": lambda user, data: service.create(data),
        "update": lambda user, rid, data: service.update(rid, data),
        "delete": lambda user, rid: service.delete(rid),
        "present": service.public,
    }


SETTINGS = {"type": "object", "properties": {
    "max_attachment_bytes": INT, "allowed_attachment_types": {"type": "array", "items": {"enum": list(MEDIA_TYPES)}},
    "recontact_template_id": {**ID, "type": ["string", "null"]}, "close_on_quick_reply": BOOL, "allow_transfer": BOOL,
    "zip_attachments": BOOL, "read_receipts": {"enum": list(READ_RECEIPTS)},
    "chatbot": {"type": "object", "properties": {"enabled": BOOL, "endpoint": STR, "model": STR, "instructions": STR}},
}}
COMPONENTS = {"type": "array", "description": "WhatsApp template components: HEADER, BODY, FOOTER, BUTTONS.",
              "items": {"type": "object", "properties": {"type": {"enum": ["HEADER", "BODY", "FOOTER", "BUTTONS"]},
                                                          "format": STR, "text": STR, "buttons": {"type": "array"}}}}

RESOURCES = [
    Resource(
        "accounts", "WhatsApp account",
        list=lambda user, **kw: accounts.list_accounts(**kw),
        get=lambda user, rid: accounts.get_account(rid),
        create=lambda user, data: accounts.create(data),
        update=lambda user, rid, data: accounts.update(rid, data),
        delete=lambda user, rid: accounts.delete(rid),
        present=lambda doc: accounts.public_account(doc, public_base_url()),
        fields={"name": STR, "provider": {"enum": list(PROVIDER_NAMES)}, "phone": STR, "api_base": STR,
                "credentials": {"type": "object", "description": "The provider's credential fields; secrets are write-only."},
                "queue_id": {**ID, "type": ["string", "null"]}, "contact_list_id": {**ID, "type": ["string", "null"]},
                "settings": SETTINGS},
        required=("name", "provider", "phone", "credentials"),
        filters={"search": "text", "provider": PROVIDER_NAMES, "queue_id": "id"},
        read_only={"webhook_key": STR, "webhook_url": STR, "secrets_set": STRS, "status": {"enum": ["active", "needs_reauth"]},
                   "auth_error": {"type": "object", "description": "Why the provider refused the account's credentials."}},
    ),
    Resource(
        "queues", "queue",
        list=lambda user, **kw: queue_admin.list_queues(**kw),
        get=lambda user, rid: queue_admin.get_queue(rid),
        create=lambda user, data: queue_admin.create_queue(data),
        update=lambda user, rid, data: queue_admin.update_queue(rid, data),
        delete=lambda user, rid: queue_admin.delete_queue(rid),
        present=queue_admin.public_queue,
        fields={"name": STR, "description": STR, "agent_ids": IDS},
        required=("name",),
        filters={"search": "text", "agent_id": "id"},
    ),
    Resource(
        "users", "user",
        list=lambda user, **kw: agents.list_users(**kw),
        get=lambda user, rid: agents.get_user(rid),
        create=lambda user, data: agents.create_user(data),
        update=lambda user, rid, data: agents.update_user(rid, data, actor_id=user["_id"]),
        delete=lambda user, rid: agents.delete_user(rid, actor_id=user["_id"]),
        present=agents.public_user,
        fields={"name": STR, "email": STR, "role": {"enum": list(ROLES)}, "active": BOOL,
                "password": {"type": "string", "writeOnly": True}},
        required=("name", "email", "password"),
        filters={"search": "text", "role": ROLES, "active": "bool"},
    ),
    Resource(
        "templates", "template",
        list=lambda user, **kw: template_catalog.list_templates(agents_only=not is_admin(user), **kw),
        get=lambda user, rid: template_catalog.get_template(rid, agents_only=not is_admin(user)),
        create=lambda user, data: template_catalog.create_template(data),
        update=lambda user, rid, data: template_catalog.update_template(rid, data),
        delete=lambda user, rid: template_catalog.delete_template(rid),
        present=template_catalog.public_template,
        fields={"account_id": ID, "name": STR, "language": STR, "category": {"enum": list(template_catalog.CATEGORIES)},
                "components": COMPONENTS, "available_for_agents": BOOL, "recontact": BOOL},
        required=("account_id", "name", "language", "components"),
        filters={"search": "text", "account_id": "id", "language": "text", "recontact": "bool"},
        agent_methods=frozenset({"GET"}),
        read_only={"status": STR, "provider_template_id": {"type": ["string", "null"]}},
    ),
    Resource(
        "canned-answers", "canned answer",
        list=lambda user, **kw: canned_answers.list_answers(queue_ids=_agent_queue_ids(user), **kw),
        get=lambda user, rid: canned_answers.get_answer(rid, queue_ids=_agent_queue_ids(user)),
        create=lambda user, data: canned_answers.create_answer(data),
        update=lambda user, rid, data: canned_answers.update_answer(rid, data),
        delete=lambda user, rid: canned_answers.delete_answer(rid),
        present=canned_answers.public_answer,
        fields={"title": STR, "text": STR, "queue_ids": IDS},
        required=("title", "text"),
        filters={"search": "text"},
        agent_methods=frozenset({"GET"}),
    ),
    Resource("dispositions", "disposition", **_labels(dispositions),
             fields={"name": STR, "description": STR}, required=("name",), filters={"search": "text"},
             agent_methods=frozenset({"GET"})),
    Resource("tags", "tag", **_labels(tags),
             fields={"name": STR, "colour": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"}, "description": STR},
             required=("name",), filters={"search": "text"}, agent_methods=frozenset({"GET"})),
    Resource(
        "contact-lists", "contact list",
        list=lambda user, **kw: contact_lists.list_lists(**kw, actor=user),
        get=lambda user, rid: contact_lists.get_list(rid, user),
        create=lambda user, data: contact_lists.create_list(data),
        update=lambda user, rid, data: contact_lists.update_list(rid, data),
        delete=lambda user, rid: contact_lists.delete_list(rid),
        present=contact_lists.public_contact,
        fields={"name": STR, "description": STR}, required=("name",), filters={"search": "text"},
        agent_methods=frozenset({"GET"}),
    ),
    Resource(
        "contacts", "contact",
        list=lambda user, **kw: contact_lists.list_contacts(**kw, actor=user),
        get=lambda user, rid: contact_lists.get_contact(rid, user),
        create=lambda user, data: contact_lists.create_contact(data, user),
        update=lambda user, rid, data: contact_lists.update_contact(rid, data, user),
        delete=lambda user, rid: contact_lists.delete_contact(rid),
        present=contact_lists.public_contact,
        fields={"list_id": ID, "first_name": STR, "last_name": STR, "phone": STR, "mobile": STR, "email": STR,
                "company": STR, "tags": STRS, "notes": STR},
        required=("list_id",),
        filters={"search": "text", "list_id": "id", "tag": "text"},
        read_only={"whatsapp_name": STR, "source": STR},
        agent_methods=frozenset({"GET", "POST", "PATCH"}),
    ),
]
