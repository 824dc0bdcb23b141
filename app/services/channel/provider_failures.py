"""What agents read when a provider call fails, and the detail kept for admins.

Agents get one sentence: what happened, whether Parley tries again, what they can do. The
provider's own words and the transport's (hosts, ports, exception text) never reach them: they
go to the log and to ``provider_errors``, which only admins see on the interaction page.
"""

import logging
import math

from app.db import get_db
from app.domain import provider_errors
from app.providers.errors import WINDOW_CLOSED_MESSAGE
from app.services import clock

log = logging.getLogger(__name__)

# What happened, by error code where Parley raised it itself, else by category.
_BY_CODE = {
    "timeout": "The WhatsApp provider did not answer in time.",
    "connection_error": "Parley could not reach the WhatsApp provider.",
    "bad_response": "The WhatsApp provider answered with something Parley did not understand.",
    "empty": "The provider sent an empty file.",
    "too_large": "The file is larger than 100 MB.",
    "media_too_large": "The file is larger than 100 MB.",
}
_BY_CATEGORY = {
    "timeout": "The WhatsApp provider did not answer in time.",
    "server": "The WhatsApp provider had a fault on its side.",
    "rate_limited": "The WhatsApp provider is limiting how many messages go out.",
    "auth": "The WhatsApp provider refused this account's credentials.",
    "invalid_recipient": "WhatsApp cannot deliver to this number.",
    "media": "The WhatsApp provider refused the attachment.",
    "bad_request": "The WhatsApp provider refused the message as it was written.",
    "other": "The WhatsApp provider could not handle the message.",
}
# What to do when Parley will not try again, by category; "download" is a customer's attachment.
_NEXT_STEP = {
    "invalid_recipient": "Check the number with the customer.",
    "media": "Send a different file.",
    "auth": "An admin must renew the account's credentials.",
    ("download", "media"): "Ask the customer to send it again.",
}
_DEFAULT_STEP = {
    "send": "You can press Retry to send it again; an admin can see the provider's reason on the interaction page.",
    "download": "You can press Try again later; an admin can see the provider's reason on the interaction page.",
}
#: Codes whose detail Parley wrote itself, for people: shown as they are.
OWN_SENTENCES = frozenset({"content_mismatch"})
#: What agents' views keep of an error.
PUBLIC_KEYS = ("code", "category", "http_status", "retryable", "retry_after", "provider")


def _in(seconds):
    seconds = max(1, math.ceil(seconds))
    if seconds <= 90:
        return f"in {seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"in {minutes} minute{'s' if minutes != 1 else ''}"


def table_rule(error, doing="send"):
    """The error table's row for a send's error (app/domain/provider_errors.py), or None."""
    if doing != "send":
        return None
    return provider_errors.rule_for(error.get("provider"), error.get("code"))


def happened(error, doing="send"):
    """What went wrong, in one sentence without the provider's or the transport's words."""
    code, category = str(error.get("code") or ""), error.get("category") or "other"
    if category == "window_closed":
        return WINDOW_CLOSED_MESSAGE
    rule = table_rule(error, doing)
    if rule is not None:
        return f"{rule.title}."
    if code in OWN_SENTENCES and error.get("detail"):
        return error["detail"]
    if doing == "download" and category == "media" and code not in _BY_CODE:
        return "The provider could not hand over the customer's file."
    return _BY_CODE.get(code) or _BY_CATEGORY.get(category, _BY_CATEGORY["other"])


def sentence(error, *, retrying=False, next_in=None, doing="send"):
    """The agent's sentence for ``error`` (a ProviderError's ``to_dict()``): what happened, whether
    Parley tries again, and what to do."""
    category = error.get("category") or "other"
    if category == "window_closed":
        return WINDOW_CLOSED_MESSAGE
    what = happened(error, doing)
    if retrying:
        return f"{what} Parley will try again {_in(next_in)}." if next_in else f"{what} Parley will try again shortly."
    rule = table_rule(error, doing)
    if rule is not None and rule.retry == provider_errors.NEVER:
        return f"{what} Parley will not try again. {rule.action}"
    if rule is not None and rule.retry == provider_errors.REAUTH:
        return f"{what} {rule.action}"
    if error.get("retryable") or rule is not None:
        return f"{what} Parley has stopped trying. {_DEFAULT_STEP[doing]}"
    step = _NEXT_STEP.get((doing, category)) or _NEXT_STEP.get(category) or _DEFAULT_STEP[doing]
    return f"{what} Parley will not try again. {step}"


def public(error, **how):
    """The error as agents may see it, without the provider's words: its code and kind, what it means
    (`title`), what to do (`action`), whether a retry can help (`retry`: backoff, never, reauth) and
    the whole sentence (`user_message`)."""
    shown = {k: error.get(k) for k in PUBLIC_KEYS if error.get(k) is not None}
    shown["title"] = happened(error, how.get("doing", "send"))
    rule = table_rule(error, how.get("doing", "send"))
    if rule is not None:
        shown.update(title=rule.title, action=rule.action, retry=rule.retry)
    return {**shown, "user_message": sentence(error, **how)}


def record(error, *, stage, interaction_id=None, message_id=None, account_id=None, attempt=None):
    """Log the full error and keep it for admins. ``stage``: send, delivery or download."""
    log.warning(
        "provider %s failed for message %s (attempt %s): %s %s: %s",
        stage,
        message_id,
        attempt,
        error.get("code"),
        error.get("title"),
        error.get("detail"),
    )
    get_db().provider_errors.insert_one(
        {
            "interaction_id": interaction_id,
            "message_id": message_id,
            "account_id": account_id,
            "stage": stage,
            "attempt": attempt,
            "at": clock.now(),
            **{k: error.get(k) for k in ("code", "title", "detail", "http_status", "category", "provider")},
        }
    )


def for_admins(actor, interaction_id, limit=50):
    """The interaction's provider errors with their full detail, newest first; nothing for agents."""
    if actor.get("role") != "admin":
        return []
    return list(get_db().provider_errors.find({"interaction_id": interaction_id}, sort=[("at", -1)], limit=limit))
