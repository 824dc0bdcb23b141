"""Campaigns over the REST API (admins): create, list, watch, pause, resume, cancel, and the recipients."""

import itertools

from flask import Response, g, jsonify, request, stream_with_context

from app.blueprints.api import bp, json_body
from app.blueprints.api.openapi import operation
from app.domain.campaign_shapes import (
    CampaignAnswer,
    CampaignList,
    CampaignPreview,
    NewCampaign,
    PreviewAnswer,
    RecipientFilter,
    RecipientList,
)
from app.services.campaigns import campaign_preview, campaign_progress, campaign_records
from app.services.errors import Forbidden
from app.services.serialize import plain

ADMINS_ONLY = "Admins only."


def _admin():
    if g.api_user["role"] != "admin":
        raise Forbidden("Only admins can manage campaigns.")


def _present(doc):
    return plain({**doc, "progress": campaign_progress.progress(doc["_id"])})


@bp.route("/campaigns", methods=["POST"])
@operation("post", "Create a campaign and start sending it", CampaignAnswer, "The campaign.", 201, body=NewCampaign,
           description=f"{ADMINS_ONLY} It is \"preparing\" while its job expands its recipients (one per number; "
                       "`expanded` then counts them); sending starts next (or at start_at). A rate above the "
                       "number's tier (its account's messages_per_second) is refused.")
def create_campaign():
    _admin()
    return jsonify(_present(campaign_records.create(g.api_user, json_body()))), 201


@bp.route("/campaign-preview", methods=["POST"])
@operation("post", "Preview a new campaign's message for one contact", PreviewAnswer, "The message.", body=CampaignPreview,
           description=f"{ADMINS_ONLY} Takes the body of a create (fields a preview does not read are ignored) and "
                       "sample_phone. Nothing is stored. The message is drawn for that contact, or the first the campaign "
                       "would send to; a parameter without a value is a missing segment, and the notes say why that "
                       "contact would be skipped.")
def preview_campaign():
    _admin()
    return jsonify(campaign_preview.preview(json_body()))


@bp.route("/campaigns", methods=["GET"])
@operation("get", "List campaigns, newest first", CampaignList, "The latest 100.", description=ADMINS_ONLY)
def list_campaigns():
    _admin()
    return jsonify(data=[_present(doc) for doc in campaign_records.latest()])


@bp.route("/campaigns/<campaign_id>", methods=["GET"])
@operation("get", "A campaign with its progress by state", CampaignAnswer, "The campaign.", description=ADMINS_ONLY)
def get_campaign(campaign_id):
    _admin()
    return jsonify(_present(campaign_records.get(campaign_id)))


@bp.route("/campaigns/<campaign_id>/recipients", methods=["GET"])
@operation("get", "A campaign's recipients, 100 a page", RecipientList, "One page.", query=(RecipientFilter,),
           description=f"{ADMINS_ONLY} In send order; by state, by number (digits it holds, or begins with after "
                       "a +) and by failure reason (the provider's error code).")
def campaign_recipients(campaign_id):
    _admin()
    rows, meta = campaign_records.recipients_page(campaign_id, dict(request.args))
    return jsonify(data=plain(rows), meta=meta)


@bp.route("/campaigns/<campaign_id>/recipients.csv", methods=["GET"])
@operation("get", "A campaign's results as CSV", {"type": "string"}, "One row per recipient.", media_type="text/csv",
           description=f"{ADMINS_ONLY} Number, state, reason, error code and its meaning, provider id, times, interaction.")
def campaign_results_csv(campaign_id):
    _admin()
    rows = campaign_records.export_csv(campaign_id)
    next_row = next(rows)  # the campaign exists (or 404) before the answer starts
    return Response(stream_with_context(itertools.chain([next_row], rows)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="campaign-{campaign_id}.csv"'})


def _action(name, summary):
    def view(campaign_id):
        _admin()
        return jsonify(_present(getattr(campaign_records, name)(campaign_id)))

    view.__name__ = f"campaign_{name}"
    operation("post", summary, CampaignAnswer, "The campaign.", errors=("401", "403", "404", "409"),
              description=ADMINS_ONLY)(view)
    bp.add_url_rule(f"/campaigns/<campaign_id>/{name}", view.__name__, view, methods=["POST"])


_action("pause", "Pause a campaign (every sender stops within a second)")
_action("resume", "Resume a paused campaign")
_action("cancel", "Cancel a campaign: nothing more is sent")
