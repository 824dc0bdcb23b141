"""Reports over the REST API: the dashboard summary (admins) and an interaction's ZIP export."""

from flask import Response, g, jsonify, request
from pydantic import BaseModel, Field, create_model

from app.blueprints.api import bp
from app.blueprints.api.openapi import operation
from app.services.errors import Forbidden, ServiceError
from app.services.reading import transcript_zip
from app.services.reporting import dashboard, pricing_report
from app.services.serialize import plain


class Spread(BaseModel):
    count: int
    median: float | None
    p90: float | None


class Ingestion(BaseModel):
    provider_to_parley: Spread
    parley_processing: Spread


class Inbox(BaseModel):
    pending: int | None = Field(description="Accepted webhook events not applied yet (None when Redis does not answer).")
    oldest_seconds: float | None = Field(description="How long the oldest of them has waited.")


class TokensOnDay(BaseModel):
    day: str = Field(description="UTC day, YYYY-MM-DD.")
    tokens: int


class AssistantFigures(BaseModel):
    handled_today: int = Field(description="Interactions the AI assistant started today.")
    answering: int = Field(description="Of those, still with the assistant.")
    handed_over: int = Field(description="Of those, handed to the queue or taken over by an agent.")
    handoff_rate: float | None = Field(description="handed_over / handled_today (None when none started).")
    handoff_reasons: dict[str, int] = Field(description="Hand-overs per trigger: model, asked, media, turns, tokens, "
                                            "failure, withheld, off, agents, takeover.")
    turns_before_handoff: float | None = Field(description="Average assistant answers before a hand-over.")
    tokens_today: int
    tokens_per_day: list[TokensOnDay] = Field(description="The last 7 UTC days, oldest first, by the day each "
                                              "interaction started.")


class Dashboard(BaseModel):
    totals: dict
    queues: list[dict]
    hourly: list[dict]
    first_response: Spread
    handling: Spread
    sentiment: dict
    agents: list[dict]
    ingestion: Ingestion
    jobs: dict[str, int | None]
    inbox: Inbox
    assistant: AssistantFigures


class AlertAfter(BaseModel):
    alert_after: int | None = Field(None, ge=1, le=240, description="Minutes of waiting that raise the alert (default 5).")


@bp.route("/dashboard", methods=["GET"])
@operation(
    "get",
    "Live dashboard figures",
    Dashboard,
    "The figures.",
    query=(AlertAfter,),
    errors=("400", "401", "403"),
    operation_id="dashboard",
    description="Admins. Per queue: waiting, open, agents online, longest wait (seconds, alert when over alert_after). "
    "Today (UTC): volume per hour, first-response and handling time (median, 90th percentile, seconds), sentiment mix, "
    "per-agent load. Ingestion lag over the last hour (provider timestamp → stored; stored → pushed to agents) and RQ "
    "jobs waiting per queue. Inbound backlog: accepted webhook events not applied yet and the age of the oldest. "
    "The AI assistant: interactions it started today, hand-over rate and triggers, average answers before a hand-over, "
    "tokens used per day over the last week.",
)
def dashboard_summary():
    if g.api_user["role"] != "admin":
        raise Forbidden("The dashboard is for admins.")
    raw = request.args.get("alert_after", "")
    if raw and (not raw.isdigit() or not 1 <= int(raw) <= 240):
        raise ServiceError("alert_after is in minutes, 1 to 240.", {"alert_after": "Between 1 and 240 minutes."})
    return jsonify(plain(dashboard.summary(int(raw) * 60 if raw else dashboard.WAIT_ALERT_SECONDS)))


DAY = r"^\d{4}-\d{2}-\d{2}$"
# "from" is a Python keyword: the query's shape is built from a mapping.
PricingQuery = create_model(
    "PricingQuery",
    **{
        "from": (str | None, Field(None, pattern=DAY, description="First UTC day, YYYY-MM-DD (default: 6 days before to).")),
        "to": (str | None, Field(None, pattern=DAY, description="Last UTC day, YYYY-MM-DD (default: today).")),
        "account_id": (str | None, Field(None, description="One account only (default: all).")),
    },
)


class PricingDay(BaseModel):
    day: str = Field(description="UTC day, YYYY-MM-DD.")
    account_id: str
    account_name: str
    category: str = Field(description="Meta's pricing category: marketing, utility, authentication, service, "
                          "referral_conversion, ... ('unknown' when the provider gave none).")
    billable: int = Field(description="Messages charged.")
    free: int = Field(description="Messages not charged (free_customer_service, free_entry_point).")
    types: dict[str, int] = Field(description="Messages per pricing type: regular, free_customer_service, "
                                  "free_entry_point ('unknown' when the provider gave none).")


class PricingTotal(BaseModel):
    account_id: str
    account_name: str
    category: str
    billable: int
    free: int


class PricingReport(BaseModel):
    from_: str = Field(alias="from", description="First day of the report.")
    to: str = Field(description="Last day of the report.")
    account_id: str | None
    days: list[PricingDay] = Field(description="Per day, account and category, by day.")
    totals: list[PricingTotal] = Field(description="The days summed per account and category.")


@bp.route("/reports/pricing", methods=["GET"])
@operation(
    "get",
    "Messages charged and free per day, account and category",
    PricingReport,
    "The report.",
    query=(PricingQuery,),
    errors=("400", "401", "403"),
    operation_id="pricing_report",
    description="Admins. What the providers' status callbacks said each sent message costs (Meta Cloud API: its "
    "`pricing` category and type), counted once per message on the UTC day of the first status that carried it. "
    "Between from and to, both included, at most 366 days; by default the last 7 days.",
)
def pricing():
    if g.api_user["role"] != "admin":
        raise Forbidden("Reports are for admins.")
    args = request.args
    return jsonify(pricing_report.report(args.get("from"), args.get("to"), args.get("account_id")))


@bp.route("/interactions/<interaction_id>/export.zip", methods=["GET"])
@operation(
    "get",
    "Download the session as a ZIP",
    {},
    "The ZIP.",
    media_type="application/zip",
    errors=("401", "403", "404"),
    operation_id="export_interaction_zip",
    description="transcript.html (opens offline), transcript.json and, when allowed, the attachments: admins always, "
    "agents when the account's settings.zip_attachments is on.",
)
def export_zip(interaction_id):
    name, data = transcript_zip.build(g.api_user, interaction_id)
    return Response(data, mimetype="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'})
