"""The API's collections: which service functions serve each, who may call what, its filters and shapes.

Routes and the OpenAPI document are both built from this table and from the shapes, so they cannot drift apart.
"""

from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, Field, create_model

from app.blueprints._shared import public_base_url
from app.blueprints.api.openapi import ID, SCHEMAS, Operation
from app.domain import shapes
from app.domain.fields import OBJECT_ID
from app.services.channel import accounts
from app.services.contacts import contact_lists
from app.services.errors import Forbidden
from app.services.people import agents
from app.services.setup import canned_answers, queue_admin, template_catalog
from app.services.setup.labels import dispositions, pause_reasons, tags
from app.services.setup.queue_admin import queues_of_agent
from app.services.setup.records import PER_PAGE_MAX

DATE_TIME = {"type": "string", "format": "date-time", "readOnly": True}
ANSWER_LIMITS = ("title", "default", "minLength", "maxLength", "maxItems")  # input limits, not promises about answers


def is_admin(user):
    return user["role"] == "admin"


class Paging(BaseModel):
    page: int | None = Field(None, ge=1, description="Page number, from 1.")
    per_page: int | None = Field(
        None, ge=1, le=PER_PAGE_MAX, description=f"Items per page, 1 to {PER_PAGE_MAX} (more is a 400, never silently fewer)."
    )


FILTER_TYPES = {"text": str, "bool": bool, "id": Annotated[str, Field(pattern=OBJECT_ID)]}


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
    shape: type  # what a create takes (app/domain/shapes)
    change: type = None  # what a change takes, when less than a create
    answer: type = None  # what answers add to the shape (read-only fields)
    filters: dict = field(default_factory=dict)  # name -> "text" | "bool" | "id" | tuple of choices
    agent_methods: frozenset = frozenset()

    def __post_init__(self):
        self.change = self.change or self.shape

    def allow(self, user, method):
        if not is_admin(user) and method not in self.agent_methods:
            raise Forbidden("Only admins can do this.")

    def filter_shape(self):
        kinds = {name: FILTER_TYPES.get(kind) or Literal[tuple(kind)] for name, kind in self.filters.items()}
        return create_model(f"{self.shape.__name__}Filters", **{name: (kind | None, None) for name, kind in kinds.items()})


def resource_schemas(resource, schemas):
    """The generated schemas of a resource: its record as answered, and a change (every field optional)."""
    name = resource.shape.__name__
    patch = {k: v for k, v in schemas[resource.change.__name__].items() if k != "required"}
    shown = {
        k: {n: v for n, v in s.items() if n not in ANSWER_LIMITS}
        for k, s in schemas[name]["properties"].items()
        if not s.get("writeOnly")
    }
    added = resource.answer.model_json_schema()["properties"] if resource.answer else {}
    shown.update({k: {**{n: v for n, v in s.items() if n != "title"}, "readOnly": True} for k, s in added.items()})
    record = {
        "type": "object",
        "properties": {"id": {**ID, "readOnly": True}, "created_at": DATE_TIME, "updated_at": DATE_TIME, **shown},
    }
    return {f"{name}Record": record, f"{name}Patch": {**patch, "title": f"{name}Patch"}}


def operations(resource):
    """({method: Operation} of the collection, and of one item)."""
    name, noun, tag = resource.shape.__name__, resource.noun, resource.name
    record = {"$ref": f"{SCHEMAS}{name}Record"}
    listing = {
        "type": "object",
        "properties": {"data": {"type": "array", "items": record}, "meta": {"$ref": f"{SCHEMAS}PageMeta"}},
    }
    who = "Admins" if not resource.agent_methods else f"Admins; agents may also {', '.join(sorted(resource.agent_methods))}"
    one = f"The {noun}."
    collection = {
        "get": Operation(
            f"List {noun}s",
            listing,
            "One page.",
            query=(Paging, resource.filter_shape()),
            description=who + ".",
            operation_id=f"list_{tag}",
        ),
        "post": Operation(f"Create a {noun}", record, one, 201, body=resource.shape, operation_id=f"create_{tag}"),
    }
    item = {
        "get": Operation(f"Read a {noun}", record, one, operation_id=f"get_{tag}"),
        "patch": Operation(
            f"Change a {noun} (only the fields sent)",
            record,
            one,
            body={"$ref": f"{SCHEMAS}{name}Patch"},
            operation_id=f"update_{tag}",
        ),
        "delete": Operation(f"Delete a {noun}", None, "Deleted.", 204, operation_id=f"delete_{tag}"),
    }
    return collection, item


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


RESOURCES = [
    Resource(
        "accounts",
        "WhatsApp account",
        list=lambda user, **kw: accounts.list_accounts(**kw),
        get=lambda user, rid: accounts.get_account(rid),
        create=lambda user, data: accounts.create(data),
        update=lambda user, rid, data: accounts.update(rid, data),
        delete=lambda user, rid: accounts.delete(rid),
        present=lambda doc: accounts.public_account(doc, public_base_url()),
        shape=shapes.Account,
        answer=shapes.AccountAnswer,
        filters={"search": "text", "provider": shapes.PROVIDER_NAMES, "queue_id": "id"},
    ),
    Resource(
        "queues",
        "queue",
        list=lambda user, **kw: queue_admin.list_queues(**kw),
        get=lambda user, rid: queue_admin.get_queue(rid),
        create=lambda user, data: queue_admin.create_queue(data),
        update=lambda user, rid, data: queue_admin.update_queue(rid, data),
        delete=lambda user, rid: queue_admin.delete_queue(rid),
        present=queue_admin.public_queue,
        shape=shapes.Queue,
        filters={"search": "text", "agent_id": "id"},
    ),
    Resource(
        "users",
        "user",
        list=lambda user, **kw: agents.list_users(**kw),
        get=lambda user, rid: agents.get_user(rid),
        create=lambda user, data: agents.create_user(data),
        update=lambda user, rid, data: agents.update_user(rid, data, actor_id=user["_id"]),
        delete=lambda user, rid: agents.delete_user(rid, actor_id=user["_id"]),
        present=agents.public_user,
        shape=shapes.User,
        filters={"search": "text", "role": shapes.ROLES, "active": "bool"},
    ),
    Resource(
        "templates",
        "template",
        list=lambda user, **kw: template_catalog.list_templates(agents_only=not is_admin(user), **kw),
        get=lambda user, rid: template_catalog.get_template(rid, agents_only=not is_admin(user)),
        create=lambda user, data: template_catalog.create_template(data),
        update=lambda user, rid, data: template_catalog.update_template(rid, data),
        delete=lambda user, rid: template_catalog.delete_template(rid),
        present=template_catalog.public_template,
        shape=shapes.Template,
        change=shapes.TemplateChange,
        answer=shapes.TemplateAnswer,
        filters={"search": "text", "account_id": "id", "language": "text", "recontact": "bool"},
        agent_methods=frozenset({"GET"}),
    ),
    Resource(
        "canned-answers",
        "canned answer",
        list=lambda user, **kw: canned_answers.list_answers(queue_ids=_agent_queue_ids(user), **kw),
        get=lambda user, rid: canned_answers.get_answer(rid, queue_ids=_agent_queue_ids(user)),
        create=lambda user, data: canned_answers.create_answer(data),
        update=lambda user, rid, data: canned_answers.update_answer(rid, data),
        delete=lambda user, rid: canned_answers.delete_answer(rid),
        present=canned_answers.public_answer,
        shape=shapes.CannedAnswer,
        filters={"search": "text"},
        agent_methods=frozenset({"GET"}),
    ),
    Resource(
        "dispositions",
        "disposition",
        **_labels(dispositions),
        shape=shapes.Disposition,
        filters={"search": "text"},
        agent_methods=frozenset({"GET"}),
    ),
    Resource("tags", "tag", **_labels(tags), shape=shapes.Tag, filters={"search": "text"}, agent_methods=frozenset({"GET"})),
    Resource(
        "pause-reasons",
        "pause reason",
        **_labels(pause_reasons),
        shape=shapes.PauseReason,
        filters={"search": "text"},
        agent_methods=frozenset({"GET"}),
    ),
    Resource(
        "contact-lists",
        "contact list",
        list=lambda user, **kw: contact_lists.list_lists(**kw, actor=user),
        get=lambda user, rid: contact_lists.get_list(rid, user),
        create=lambda user, data: contact_lists.create_list(data),
        update=lambda user, rid, data: contact_lists.update_list(rid, data),
        delete=lambda user, rid: contact_lists.delete_list(rid),
        present=contact_lists.public_contact,
        shape=shapes.ContactList,
        filters={"search": "text"},
        agent_methods=frozenset({"GET"}),
    ),
    Resource(
        "contacts",
        "contact",
        list=lambda user, **kw: contact_lists.list_contacts(**kw, actor=user),
        get=lambda user, rid: contact_lists.get_contact(rid, user),
        create=lambda user, data: contact_lists.create_contact(data, user),
        update=lambda user, rid, data: contact_lists.update_contact(rid, data, user),
        delete=lambda user, rid: contact_lists.delete_contact(rid),
        present=contact_lists.public_contact,
        shape=shapes.Contact,
        change=shapes.ContactChange,
        answer=shapes.ContactAnswer,
        filters={"search": "text", "list_id": "id", "tag": "text"},
        agent_methods=frozenset({"GET", "POST", "PATCH"}),
    ),
]
