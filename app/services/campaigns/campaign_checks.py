"""What a new campaign must be before it is stored (or previewed): an account that can start
conversations, one of its templates that can be sent, a source for each template parameter, and a
rate within the number's tier. Each check raises ValidationFailed naming the field it refuses."""

from app.db import get_db
from app.domain.campaign_shapes import DEFAULT_RATE
from app.services.channel import accounts
from app.services.channel.provider_access import capabilities
from app.services.errors import ValidationFailed
from app.services.setup.records import object_id
from app.services.setup.template_catalog import component, parameters
from app.services.setup.template_rendering import prepare

HEADLINE = "Check the campaign."
#: Template statuses a campaign cannot send (Meta's review and quality states).
UNUSABLE_TEMPLATES = ("PENDING", "REJECTED", "PAUSED", "DISABLED", "IN_APPEAL", "DELETED")


def account(account_id):
    """The campaign's account, if it can send the first message of a conversation."""
    doc = get_db().accounts.find_one({"_id": object_id(account_id, "account")})
    if doc is None:
        raise ValidationFailed(HEADLINE, {"account_id": "No such WhatsApp account."})
    if "start_conversation" not in capabilities(doc):
        raise ValidationFailed(HEADLINE, {"account_id": f"{doc['name']} ({doc['provider']}) cannot send the first message."})
    return doc


def template(template_id, account_doc):
    """The campaign's template: the account's own, and in a state that can be sent."""
    doc = get_db().templates.find_one({"_id": object_id(template_id, "template"), "account_id": account_doc["_id"]})
    if doc is None:
        raise ValidationFailed(HEADLINE, {"template_id": "No such template on this account."})
    if not usable(doc):
        raise ValidationFailed(HEADLINE, {"template_id": f"This template is {doc['status'].lower()}: it cannot be sent."})
    return doc


def usable(template_doc):
    return str(template_doc.get("status", "")).upper() not in UNUSABLE_TEMPLATES


def parameter_counts(template_doc):
    """How many parameters the template's text header and its body take: (header, body)."""
    header, body = component(template_doc, "HEADER"), component(template_doc, "BODY")
    in_header = len(parameters(header.get("text"))) if header and header.get("format", "TEXT") == "TEXT" else 0
    return in_header, len(parameters((body or {}).get("text")))


def usable_templates():
    """Every account's templates a campaign can send, with their parameter counts (what the form offers)."""
    found = get_db().templates.find({}, {"name": 1, "language": 1, "account_id": 1, "status": 1, "components": 1})
    return [{**doc, "params": parameter_counts(doc)} for doc in found.sort("name", 1) if usable(doc)]


def mapping(template_doc, params):
    """Each parameter the template needs has a source: prepare() with stand-in values says which do not."""
    stand_in = {
        "header": ["x" for _ in params.get("header", [])],
        "body": ["x" for _ in params.get("body", [])],
        "buttons": dict.fromkeys(params.get("buttons", {}), "x"),
    }
    try:
        prepare(template_doc, stand_in)
    except ValidationFailed as refused:
        raise ValidationFailed("Check the template's parameters.", refused.fields) from None


def default_rate(account_doc):
    """The rate a campaign gets unless told: Meta's standard tier, or the number's tier when lower."""
    return min(DEFAULT_RATE, accounts.messages_per_second(account_doc))


def rate(asked, account_doc):
    """The campaign's rate: the one asked for (or the default), never above the number's tier."""
    tier = accounts.messages_per_second(account_doc)
    if asked is not None and asked > tier:
        raise ValidationFailed(HEADLINE, {"rate": f"This number's tier allows at most {tier} messages per second."})
    return default_rate(account_doc) if asked is None else asked
