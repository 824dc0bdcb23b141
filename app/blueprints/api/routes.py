"""The API's routes: a collection (GET list, POST) and an item (GET, PATCH, DELETE) per resource."""

from bson import ObjectId
from flask import g, jsonify, request

from app.blueprints.api import bp, json_body
from app.blueprints.api.openapi import SCHEMAS, build_document, describe, operation
from app.blueprints.api.resources import RESOURCES, operations
from app.domain import shapes
from app.services.errors import ServiceError
from app.services.people.agents import public_user
from app.services.routing import agent_status, presence
from app.services.serialize import plain
from app.services.setup.labels import pause_reason_names
from app.services.setup.records import checked

BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _filters(resource):
    """Query arguments as service keyword arguments; a malformed value is a 400 naming it."""
    values, errors = {}, {}
    for name, kind in resource.filters.items():
        raw = request.args.get(name)
        if raw in (None, ""):
            continue
        if kind == "bool" and raw.lower() not in BOOLEANS:
            errors[name] = "Use true or false."
        elif kind == "id" and not ObjectId.is_valid(raw):
            errors[name] = "Not a valid id."
        elif isinstance(kind, tuple) and raw not in kind:
            errors[name] = f"Must be one of: {', '.join(kind)}."
        else:
            values[name] = BOOLEANS[raw.lower()] if kind == "bool" else raw
    if errors:
        raise ServiceError("Invalid query arguments.", errors)
    return values


def _collection(resource):
    def view():
        user = g.api_user
        resource.allow(user, request.method)
        if request.method == "POST":
            doc = resource.create(user, json_body())
            return jsonify(resource.present(doc)), 201
        page = resource.list(user, page=request.args.get("page"), per_page=request.args.get("per_page"), **_filters(resource))
        return jsonify(data=[resource.present(d) for d in page.items], meta=page.meta())

    return view


def _item(resource):
    def view(record_id):
        user = g.api_user
        resource.allow(user, request.method)
        if request.method == "PATCH":
            return jsonify(resource.present(resource.update(user, record_id, json_body())))
        if request.method == "DELETE":
            resource.delete(user, record_id)
            return "", 204
        return jsonify(resource.present(resource.get(user, record_id)))

    return view


def _register(resource):
    endpoint = resource.name.replace("-", "_")
    collection, item = _collection(resource), _item(resource)
    for view, described in zip((collection, item), operations(resource), strict=True):
        for method, op in described.items():
            describe(view, method, op)
    bp.add_url_rule(f"/{resource.name}", f"{endpoint}_collection", collection, methods=["GET", "POST"])
    bp.add_url_rule(f"/{resource.name}/<record_id>", f"{endpoint}_item", item, methods=["GET", "PATCH", "DELETE"])


for _resource in RESOURCES:
    _register(_resource)


@bp.route("/me")
@operation("get", "The user the token belongs to", {"$ref": f"{SCHEMAS}UserRecord"}, "The user.", errors=("401",))
def me():
    return jsonify(public_user(g.api_user))


@bp.route("/me/presence", methods=["GET"])
@operation("get", "Your presence: Online, Paused (with its reason) or Offline", shapes.Presence, "Your presence.")
def my_presence():
    return jsonify(presence_answer(presence.state_of(g.api_user["_id"])))


@bp.route("/me/presence", methods=["PUT"])
@operation("put", "Set your presence", shapes.Presence, "Your presence now.", body=shapes.PresenceChange)
def set_my_presence():
    change = checked(shapes.PresenceChange, json_body(), "Choose Online, Paused or Offline.")
    return jsonify(presence_answer(agent_status.change(g.api_user, change.state, change.reason)))


def presence_answer(state):
    shown = {name: state[name] for name in ("state", "reason", "since")}
    return plain({**shown, "label": presence.describe(state), "reasons": pause_reason_names()})


@bp.route("/openapi.json")
@operation("get", "This document", {"type": "object"}, "OpenAPI 3.1.", errors=("401",))
def openapi():
    return jsonify(build_document())
