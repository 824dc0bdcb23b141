"""The OpenAPI 3.1 document of /api/v1, built from the same resource table as the routes."""

from app.blueprints.api.interactions_openapi import PATHS as INTERACTION_PATHS
from app.blueprints.api.reports_openapi import PATHS as REPORT_PATHS
from app.blueprints.api.resources import ID, RESOURCES

ERROR = {"$ref": "#/components/responses/Error"}
PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}, "description": "Page number, from 1."},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100},
     "description": "Items per page, 1 to 100 (more is a 400, never silently fewer)."},
]
ID_PARAM = {"name": "record_id", "in": "path", "required": True, "schema": ID}


def _filter_schema(kind):
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "id":
        return ID
    if isinstance(kind, tuple):
        return {"type": "string", "enum": list(kind)}
    return {"type": "string"}


def _schema_name(resource):
    return "".join(part.title() for part in resource.noun.split())


def _schemas(resource):
    name = _schema_name(resource)
    output = {"id": ID, "created_at": {"type": "string", "format": "date-time"},
              "updated_at": {"type": "string", "format": "date-time"}}
    output.update({k: v for k, v in resource.fields.items() if not v.get("writeOnly")})
    output.update({k: {**schema, "readOnly": True} for k, schema in resource.read_only.items()})
    return {
        name: {"type": "object", "properties": output},
        f"{name}Input": {"type": "object", "properties": resource.fields, "required": list(resource.required),
                         "additionalProperties": False},
        f"{name}Patch": {"type": "object", "properties": resource.fields, "additionalProperties": False},
    }


def _operations(resource):
    name = _schema_name(resource)
    ref = {"$ref": f"#/components/schemas/{name}"}
    body = {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}Input"}}}}
    who = "Admins" if not resource.agent_methods else f"Admins; agents may also {', '.join(sorted(resource.agent_methods))}"
    answer = {"description": f"The {resource.noun}.", "content": {"application/json": {"schema": ref}}}
    errors = dict.fromkeys(("400", "401", "403", "404", "409", "422"), ERROR)
    filters = [{"name": f, "in": "query", "schema": _filter_schema(k)} for f, k in resource.filters.items()]
    listing = {"type": "object", "properties": {"data": {"type": "array", "items": ref},
                                                 "meta": {"$ref": "#/components/schemas/PageMeta"}}}
    tag = [resource.name]
    return {
        f"/api/v1/{resource.name}": {
            "get": {"summary": f"List {resource.noun}s", "description": who + ".", "tags": tag,
                    "operationId": f"list_{resource.name}", "parameters": PAGING + filters,
                    "responses": {"200": {"description": "One page.", "content": {"application/json": {"schema": listing}}},
                                  **errors}},
            "post": {"summary": f"Create a {resource.noun}", "tags": tag, "operationId": f"create_{resource.name}",
                     "requestBody": body, "responses": {"201": answer, **errors}},
        },
        f"/api/v1/{resource.name}/{{record_id}}": {
            "parameters": [ID_PARAM],
            "get": {"summary": f"Read a {resource.noun}", "tags": tag, "operationId": f"get_{resource.name}",
                    "responses": {"200": answer, **errors}},
            "patch": {"summary": f"Change a {resource.noun} (only the fields sent)", "tags": tag,
                      "operationId": f"update_{resource.name}",
                      "requestBody": {**body, "content": {"application/json": {"schema": {
                          "$ref": f"#/components/schemas/{name}Patch"}}}},
                      "responses": {"200": answer, **errors}},
            "delete": {"summary": f"Delete a {resource.noun}", "tags": tag, "operationId": f"delete_{resource.name}",
                       "responses": {"204": {"description": "Deleted."}, **errors}},
        },
    }


def build_document():
    paths, schemas = {}, {
        "PageMeta": {"type": "object", "properties": {k: {"type": "integer"} for k in ("page", "per_page", "total", "pages")}},
        "Error": {"type": "object", "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}}},
    }
    for resource in RESOURCES:
        paths.update(_operations(resource))
        schemas.update(_schemas(resource))
    paths.update(INTERACTION_PATHS)
    paths.update(REPORT_PATHS)
    paths["/api/v1/me"] = {"get": {"summary": "The user the token belongs to", "operationId": "me", "tags": ["users"],
                                   "responses": {"200": {"description": "The user."}, "401": ERROR}}}
    paths["/api/v1/openapi.json"] = {"get": {"summary": "This document", "operationId": "openapi",
                                             "tags": ["meta"], "responses": {"200": {"description": "OpenAPI 3.1."}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Parley REST API", "version": "1",
                 "description": "Configure Parley: WhatsApp accounts, queues, users, templates, canned answers, "
                                "dispositions, tags, contact lists and contacts. Create a token on your profile page; a "
                                "read-only token may only GET (anything else answers 403), and a token past its "
                                "expiry answers 401."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
            "responses": {"Error": {"description": "An error: 400 bad input, 401 no valid token (unknown, revoked or "
                                                   "expired), 403 not allowed (or a read-only token), "
                                                   "404 not found, 409 conflict, 422 invalid fields.",
                                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
        },
    }
