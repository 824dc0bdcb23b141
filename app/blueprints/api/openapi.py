"""The OpenAPI 3.1 document of /api/v1, generated from the route table and the shapes.

Each view says what it does (`operation`): a summary, the shape of its body or query and of its
answer. Paths, methods and path parameters come from the routes themselves, and every schema from
a pydantic shape (app/domain), so the document cannot drift from what the API does.
"""

import re
from dataclasses import dataclass

from flask import current_app
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from app.domain.fields import OBJECT_ID
from app.domain.shapes import PageMeta

ERRORS = ("400", "401", "403", "404", "409", "422")
ID = {"type": "string", "pattern": OBJECT_ID}
ID_PARAMETERS = ("interaction_id", "record_id")
SCHEMAS = "#/components/schemas/"
INFO = {
    "title": "Parley REST API",
    "version": "1",
    "description": "Configure Parley: WhatsApp accounts, queues, users, templates, canned answers, dispositions, tags, "
    "contact lists and contacts, and work the interactions. Create a token on your profile page; a read-only token may "
    "only GET (anything else answers 403), and a token past its expiry answers 401.",
}
ERROR_TEXT = (
    "An error: 400 bad input, 401 no valid token (unknown, revoked or expired), 403 not allowed (or a read-only "
    "token), 404 not found, 409 conflict, 422 invalid fields."
)


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, str] | None = None


class Error(BaseModel):
    error: ErrorDetail


@dataclass
class Operation:
    summary: str
    answer: object = None  # a shape, or a schema
    answer_text: str = "Done."
    status: int = 200
    body: object = None  # a shape, or a schema
    body_required: bool = True
    query: tuple = ()  # shapes whose fields are the query parameters
    description: str = ""
    media_type: str = "application/json"
    errors: tuple = ERRORS
    operation_id: str = None  # default: the route's endpoint


def operation(method, *described, **details):
    """Describe what a view does for `method` (a view may serve several methods): the fields of Operation."""

    def mark(view):
        describe(view, method, Operation(*described, **details))
        return view

    return mark


def describe(view, method, op):
    view.__dict__.setdefault("openapi", {})[method] = op


def _schema(value, refs):
    if isinstance(value, type) and issubclass(value, BaseModel):
        return refs[(value, "validation")]
    return value


def _models(operations):
    found = {Error, PageMeta}
    for op in operations:
        found |= {v for v in (op.body, op.answer) if isinstance(v, type) and issubclass(v, BaseModel)}
    return sorted(found, key=lambda m: m.__name__)


def _parameter(shape, name, info, schema):
    """One query parameter from a field of a shape: optional, so its null alternative is dropped."""
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    schema = {k: v for k, v in options[0].items() if k not in ("title", "default", "description")}
    parameter = {"name": name, "in": "query", "schema": schema}
    if info.description:
        parameter["description"] = info.description
    return parameter


def _query(op):
    parameters = []
    for shape in op.query:
        properties = shape.model_json_schema()["properties"]
        parameters += [_parameter(shape, name, info, properties[name]) for name, info in shape.model_fields.items()]
    return parameters


def _operation(op, refs, operation_id, tag):
    answer = {"description": op.answer_text}
    if op.answer is not None:
        answer["content"] = {op.media_type: {"schema": _schema(op.answer, refs)}}
    out = {
        "summary": op.summary,
        "operationId": op.operation_id or operation_id,
        "tags": [tag],
        "responses": {str(op.status): answer, **dict.fromkeys(op.errors, {"$ref": "#/components/responses/Error"})},
    }
    if op.description:
        out["description"] = op.description
    if op.query:
        out["parameters"] = _query(op)
    if op.body is not None:
        out["requestBody"] = {"required": op.body_required, "content": {"application/json": {"schema": _schema(op.body, refs)}}}
    return out


def _routes():
    """(path, path parameters, endpoint, {method: Operation}) of every /api/v1 route; an undocumented one is an error."""
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        described = getattr(current_app.view_functions[rule.endpoint], "openapi", {})
        methods = sorted(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
        missing = [m for m in methods if m not in described]
        if missing:
            raise LookupError(f"{rule.rule} {missing} has no operation() description")
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": ID if name in ID_PARAMETERS else {"type": "string"}}
            for name in sorted(rule.arguments)
        ]
        yield path, parameters, rule.endpoint.removeprefix("api."), {m: described[m] for m in methods}


def build_document():
    from app.blueprints.api.resources import RESOURCES, resource_schemas

    routes = sorted(_routes(), key=lambda route: route[0])
    operations = [op for *_, ops in routes for op in ops.values()]
    shapes = _models(operations) + [m for r in RESOURCES for m in (r.shape, r.change)]
    refs, definitions = models_json_schema([(m, "validation") for m in dict.fromkeys(shapes)], ref_template=SCHEMAS + "{model}")
    schemas = definitions["$defs"]
    for resource in RESOURCES:
        schemas.update(resource_schemas(resource, schemas))
    paths = {}
    for path, parameters, endpoint, ops in routes:
        item = paths.setdefault(path, {"parameters": parameters} if parameters else {})
        tag = path.removeprefix("/api/v1/").split("/")[0]
        item.update({method: _operation(op, refs, endpoint, tag) for method, op in ops.items()})
    return {
        "openapi": "3.1.0",
        "info": INFO,
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
            "responses": {
                "Error": {"description": ERROR_TEXT, "content": {"application/json": {"schema": {"$ref": SCHEMAS + "Error"}}}}
            },
        },
    }
