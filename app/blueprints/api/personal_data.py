"""One person's data over the REST API (admins only): the export and the erasure a GDPR request asks for."""

from flask import Response, g, jsonify
from pydantic import BaseModel, Field

from app.blueprints.api import bp
from app.blueprints.api.openapi import operation
from app.blueprints.api.resources import is_admin
from app.services.errors import Forbidden
from app.services.retention import erasure, export


class Erased(BaseModel):
    contacts: int = Field(description="Contacts erased: every contact holding one of the person's numbers or WhatsApp ids.")
    interactions: int = Field(description="Conversations erased (those still open were closed first).")
    messages: int
    media_files: int = Field(description="Attachments deleted from the database.")
    campaign_recipients: int


def _admin_only():
    if not is_admin(g.api_user):
        raise Forbidden("Only admins can do this.")


@bp.route("/contacts/<record_id>/export", methods=["GET"])
@operation(
    "get",
    "Everything held about the person of this contact, as a ZIP (a GDPR access request)",
    {"type": "string", "format": "binary"},
    "data.json (contacts, conversations with their messages) and the attachments.",
    media_type="application/zip",
    operation_id="export_contact",
)
def export_contact(record_id):
    _admin_only()
    name, data = export.build(record_id)
    return Response(data, mimetype="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/contacts/<record_id>/erase", methods=["POST"])
@operation(
    "post",
    "Erase the person of this contact (a GDPR erasure request): contacts in every list, conversations, attachments",
    Erased,
    "What was erased.",
    body_required=False,
    operation_id="erase_contact",
)
def erase_contact(record_id):
    _admin_only()
    return jsonify(erasure.erase(record_id, g.api_user["_id"]))
