"""Creating campaigns and steering them (pause, resume, cancel), and reading their recipients.

A campaign is checked whole before anything is written (campaign_checks: the account can start
conversations, the template is the account's and usable, each template parameter has a source, the
rate is within the number's tier; an uploaded CSV has no bad line), then stored "preparing" and its
sending job queued: the job expands its recipients once (recipients.prepare) and starts sending, or
waits for its scheduled time. Pausing or cancelling is a change of
the campaign's state, which its senders read before every send (sender.py), published to the
admins watching at once (campaign_progress.py).
"""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pymongo import ReturnDocument

from app import jobs
from app.db import get_db
from app.domain.campaign_shapes import NewCampaign, RecipientFilter
from app.services import clock
from app.services.campaigns import campaign_checks, campaign_progress, campaign_upload
from app.services.channel import accounts
from app.services.contacts import contacts_csv
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.setup.records import checked, object_id


def create(actor, data, upload=None):
    """Check and store a campaign and queue its job (which expands its recipients and sends). The campaign.

    `upload`: a CSV file of contacts (the form's; the API sends the text as `contacts_csv`), stored
    as a new list that the campaign is sent to with its lists (campaign_upload).
    """
    spec = _read(data, upload)
    account = campaign_checks.account(spec.account_id)
    template = campaign_checks.template(spec.template_id, account)
    mapping = spec.params.model_dump(exclude_none=True)
    campaign_checks.mapping(template, mapping)
    rate = campaign_checks.rate(spec.rate, account)
    if upload is None and spec.contacts_csv:
        upload = spec.contacts_csv.encode()
    uploaded = campaign_upload.read(upload) if upload is not None else None
    now = clock.now()
    start_at = _start(spec, now)
    list_ids = [object_id(list_id, "contact list") for list_id in spec.list_ids]
    if uploaded:
        list_ids.append(campaign_upload.store(spec.name, uploaded))
    doc = {
        "name": spec.name,
        "account_id": account["_id"],
        "template_id": template["_id"],
        "template": {"name": template["name"], "language": template["language"]},
        "params": mapping,
        "list_ids": list_ids,
        "tag": spec.tag,
        "rate": rate,
        "response_timeout_days": spec.response_timeout_days,
        "close_on_quick_reply": spec.close_on_quick_reply,
        "reply_queue_id": object_id(spec.reply_queue_id, "queue") if spec.reply_queue_id else account.get("queue_id"),
        "state": "preparing",
        "start_at": start_at,
        "time_zone": spec.time_zone,
        "created_at": now,
        "created_by": {"id": actor["_id"], "name": actor["name"]},
    }
    doc["_id"] = get_db().campaigns.insert_one(doc).inserted_id
    jobs.enqueue(jobs.SEND_CAMPAIGN, campaign_id=str(doc["_id"]))
    return doc


def _read(data, upload):
    """The campaign as its shape reads it. One without recipients (no list, no CSV) is refused with
    whatever else the shape refuses, so the admin sees every problem at once."""
    problems = {}
    if isinstance(data, dict) and not data.get("list_ids") and not data.get("contacts_csv") and upload is None:
        problems["list_ids"] = "Choose at least one contact list, or upload a CSV of contacts."
    try:
        spec = checked(NewCampaign, data, "Check the campaign.")
    except ValidationFailed as refused:
        raise ValidationFailed(refused.message, {**problems, **refused.fields}) from None
    if problems:
        raise ValidationFailed("Check the campaign.", problems)
    return spec


def sending_rate(campaign, account):
    """The rate a campaign sends at now: its own, never above its number's tier (an admin may have
    lowered the tier since the campaign was created)."""
    return min(campaign["rate"], accounts.messages_per_second(account))


#: A start this recent is taken as "now" (the admin typed the current time).
PAST_GRACE = timedelta(minutes=5)


def _start(spec, now):
    """The scheduled start in UTC, or None to start at once."""
    try:
        zone = ZoneInfo(spec.time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "America" names a folder of zones: OSError
        raise ValidationFailed("Check the campaign.", {"time_zone": "Unknown time zone: use a name like Europe/Rome."}) from None
    if not spec.start_at:
        return None
    try:
        start = datetime.fromisoformat(spec.start_at).replace(tzinfo=zone).astimezone(UTC)
    except ValueError:  # the shape's pattern lets 30 February through
        raise ValidationFailed("Check the campaign.", {"start_at": "No such date: check the day and the month."}) from None
    if start < now - PAST_GRACE:
        passed = "This time has passed: choose a later one, or none to start now."
        raise ValidationFailed("Check the campaign.", {"start_at": passed})
    return start if start > now else None


def get(campaign_id):
    doc = get_db().campaigns.find_one({"_id": object_id(campaign_id, "campaign")})
    if doc is None:
        raise NotFound("No such campaign.")
    return doc


def latest(limit=100):
    return list(get_db().campaigns.find({}, sort=[("created_at", -1), ("_id", -1)], limit=limit))


RECIPIENTS_PAGE = 100


def recipients_page(campaign_id, args):
    """One page of a campaign's recipients, in the order they are sent; optionally only those in one
    state, whose number holds the digits given (begins with them when typed with "+"), or that failed
    with one provider error code."""
    shown = checked(RecipientFilter, args, "Check the filters.")
    campaign = get(campaign_id)
    query = {"campaign_id": campaign["_id"], **({"state": shown.state} if shown.state else {})}
    if shown.number:
        query["phone"] = {"$regex": _number_pattern(shown.number)}
    if shown.reason:
        query.update({"state": shown.state or "failed", "error.code": shown.reason})
    # Served by (campaign_id, state, _id) or (campaign_id, _id): the number and the code are checked on
    # the campaign's recipients as the index walks them (no index per combination of filters).
    rows = get_db().campaign_recipients.find(
        query, {"params": 0, "campaign_id": 0}, sort=[("_id", 1)], skip=(shown.page - 1) * RECIPIENTS_PAGE, limit=RECIPIENTS_PAGE
    )
    total = get_db().campaign_recipients.count_documents(query)
    return list(rows), {"page": shown.page, "per_page": RECIPIENTS_PAGE, "total": total}


def _number_pattern(typed):
    """A number's digits anywhere in it, or at its start when typed with its "+" (+44 77: +4477...)."""
    digits = re.sub(r"\D", "", typed)
    return rf"^\+{digits}" if typed.startswith("+") else digits


EXPORT_COLUMNS = ("phone", "state", "reason", "error_code", "error", "provider_message_id", "sent_at", "replied_at",
                  "interaction_id")


def export_csv(campaign_id):
    """The campaign's recipients as CSV lines (a generator: a campaign may have 100,000), in send order."""
    campaign = get(campaign_id)

    def line(values):
        out = io.StringIO()
        csv.writer(out).writerow([contacts_csv.safe_cell(value) for value in values])
        return out.getvalue()

    yield line(EXPORT_COLUMNS)
    cursor = get_db().campaign_recipients.find({"campaign_id": campaign["_id"]}, {"params": 0}, sort=[("_id", 1)])
    for doc in cursor:
        error = doc.get("error") or {}
        yield line([doc.get("phone"), doc["state"], doc.get("reason"), error.get("code"), error.get("sentence"),
                    doc.get("provider_message_id"), _iso(doc.get("sent_at")), _iso(doc.get("replied_at")),
                    doc.get("interaction_id")])


def _iso(moment):
    return clock.aware(moment).isoformat() if moment else ""


def _move(campaign_id, from_states, to_state, refusal):
    doc = get_db().campaigns.find_one_and_update(
        {"_id": object_id(campaign_id, "campaign"), "state": {"$in": list(from_states)}},
        # An admin's move replaces the reason an expired token paused it for (sender.py).
        {"$set": {"state": to_state, f"{to_state}_at": clock.now()}, "$unset": {"paused_because": ""}},
        return_document=ReturnDocument.AFTER,
    )
    if doc is None:
        get(campaign_id)  # NotFound when there is no such campaign
        raise Conflict(refusal)
    campaign_progress.publish(doc["_id"])
    return doc


def pause(campaign_id):
    return _move(campaign_id, ("sending",), "paused", "Only a campaign that is sending can be paused.")


def resume(campaign_id):
    doc = _move(campaign_id, ("paused",), "sending", "Only a paused campaign can be resumed.")
    jobs.enqueue(jobs.SEND_CAMPAIGN, campaign_id=str(doc["_id"]))
    return doc


def cancel(campaign_id):
    """No more sends: what was pending stays pending, marked as not sent because of the cancel."""
    return _move(campaign_id, ("preparing", "sending", "paused", "scheduled"), "cancelled", "This campaign has ended already.")
