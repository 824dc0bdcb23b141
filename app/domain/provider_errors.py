"""The one table of providers' error codes: what each means, what the agent should do, and whether
sending again can help (and how).

Adapters take a code's category from here; the delivery job takes its retry policy; agents read
its meaning and action (app/services/channel/provider_failures.py). Sources: Meta's "WhatsApp error
codes" page (Cloud API, and 470 of the On-Premises API), Twilio's error dictionary and its WhatsApp
error mapping, Sinch Conversation API's delivery report reason codes, Kaleyra's "WhatsApp V2 error
codes for send message" (Kaleyra also relays Meta's codes as they are).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Retry policies: try again later with exponential backoff; never (sending the same thing again
#: cannot succeed); after an admin renews the account's credentials (the message is held meanwhile).
BACKOFF, NEVER, REAUTH = "backoff", "never", "reauth"

RECONTACT = "Send a Recontact template to continue the conversation"


@dataclass(frozen=True)
class ErrorRule:
    title: str  # what happened, in a few words
    action: str  # what the agent should do, one sentence
    retry: str  # BACKOFF, NEVER or REAUTH
    category: str  # one of app.providers.errors.CATEGORIES
    wait: int = 0  # seconds to wait at least before the next attempt

    @property
    def retryable(self) -> bool:
        return self.retry == BACKOFF


def _rule(title, action, retry, category, wait=0):
    return ErrorRule(title, action, retry, category, wait)


_WINDOW = _rule("Outside the 24-hour window", RECONTACT, NEVER, "window_closed")
_TOKEN = _rule(
    "The account's credentials were refused",
    "An admin must renew the account's credentials; the message goes out once they do.",
    REAUTH,
    "auth",
)
_PERMISSION = _rule(
    "The account lacks a permission",
    "An admin must grant the app the WhatsApp messaging permissions again; the message goes out once they do.",
    REAUTH,
    "auth",
)
_THROUGHPUT = _rule(
    "Too many messages at once",
    "Nothing to do: Parley sends it again shortly.",
    BACKOFF,
    "rate_limited",
)
_UNDELIVERABLE = _rule(
    "Message undeliverable",
    "Check with the customer by another channel that this number uses a recent WhatsApp and accepted its terms.",
    NEVER,
    "invalid_recipient",
)
_PROVIDER_DOWN = _rule("WhatsApp had a fault on its side", "Nothing to do: Parley sends it again shortly.", BACKOFF, "server")
_BAD_MESSAGE = _rule(
    "WhatsApp refused the message as written",
    "Change the message (text, attachment or template values) and send it again.",
    NEVER,
    "bad_request",
)
_MEDIA_DOWNLOAD = _rule(
    "WhatsApp could not fetch the attachment",
    "Send the file again, or a different file in a supported format.",
    NEVER,
    "media",
)
_TEMPLATE_MISSING = _rule(
    "Template not found",
    "Choose another template, or ask an admin to sync the account's templates.",
    NEVER,
    "bad_request",
)


def _template(title, action="Ask an admin to check the template in WhatsApp Manager, or choose another template."):
    return _rule(title, action, NEVER, "bad_request")


_TEMPLATE_VALUES = "Check the template's values and send it again."

META: dict[str, ErrorRule] = {
    "0": _TOKEN,
    "190": _TOKEN,
    "102": _TOKEN,
    "10": _PERMISSION,
    "3": _PERMISSION,
    "1": _PROVIDER_DOWN,
    "2": _PROVIDER_DOWN,
    "4": _THROUGHPUT,
    "80007": _THROUGHPUT,
    "130429": _THROUGHPUT,
    "131056": _rule(
        "Too many messages to this customer",
        "Wait a little before the next message to this number: Parley sends this one again after a pause.",
        BACKOFF,
        "rate_limited",
        wait=60,
    ),
    "131048": _rule(
        "Held back as possible spam",
        "Do not send it again now: WhatsApp limits this number after customers blocked or reported it.",
        NEVER,
        "rate_limited",
    ),
    "131049": _rule(
        "Marketing limit for this customer",
        "Do not send it again now: WhatsApp limits how many marketing messages a customer gets; try another day.",
        NEVER,
        "rate_limited",
    ),
    "131050": _rule(
        "The customer stopped marketing messages",
        "Do not send marketing templates to this customer; answer only when they write.",
        NEVER,
        "invalid_recipient",
    ),
    "130472": _rule(
        "Held back by a WhatsApp experiment",
        "Nothing to do now: WhatsApp withholds some marketing messages from this customer; "
        "send a utility template or wait for them to write.",
        NEVER,
        "invalid_recipient",
    ),
    "368": _rule(
        "Account temporarily blocked for a policy violation",
        "An admin must check the account's policy notices in WhatsApp Manager; messages fail until the block ends.",
        NEVER,
        "bad_request",
    ),
    "131031": _rule(
        "The business account is locked",
        "An admin must check the account in WhatsApp Manager.",
        NEVER,
        "bad_request",
    ),
    "100": _BAD_MESSAGE,
    "131008": _BAD_MESSAGE,
    "131009": _BAD_MESSAGE,
    "131021": _rule("The customer's number is the business's own", "Check the customer's number.", NEVER, "invalid_recipient"),
    "131026": _UNDELIVERABLE,
    "131030": _rule(
        "Number not in the test list", "An admin must add the number to the app's test recipients.", NEVER, "invalid_recipient"
    ),
    "131047": _WINDOW,
    "470": _WINDOW,
    "131051": _rule("Message type not supported", "Send it as text, an image or a document instead.", NEVER, "bad_request"),
    "131052": _rule(
        "The customer's attachment could not be downloaded",
        "Ask the customer to send the file again.",
        NEVER,
        "media",
    ),
    "131053": _rule(
        "The attachment could not be uploaded",
        "Send a different file in a supported format and size.",
        NEVER,
        "media",
    ),
    "131000": _PROVIDER_DOWN,
    "131016": _PROVIDER_DOWN,
    "133004": _PROVIDER_DOWN,
    "132000": _template("Wrong number of template values", _TEMPLATE_VALUES),
    "132001": _TEMPLATE_MISSING,
    "132005": _template("Template text too long once filled", "Shorten the template's values and send it again."),
    "132007": _template("Template breaks WhatsApp's formatting rules", _TEMPLATE_VALUES),
    "132012": _template("Template values in the wrong format", _TEMPLATE_VALUES),
    "132015": _template("Template paused for low quality"),
    "132016": _template("Template disabled for low quality"),
}
for _code in range(132002, 132017):  # the range's other codes: template problems to check in WhatsApp Manager
    META.setdefault(str(_code), _template("Template problem"))

TWILIO: dict[str, ErrorRule] = {
    "63016": _WINDOW,  # WhatsApp 470 / 131047
    "63024": _rule("Invalid recipient", "Check the customer's number: it is not a WhatsApp number.", NEVER, "invalid_recipient"),
    "63032": META["130472"],  # WhatsApp 472: the user's number is part of an experiment
    "63049": META["131049"],  # Meta chose not to deliver the marketing message
    "63003": _rule("Channel could not find the number", "Check the customer's number.", NEVER, "invalid_recipient"),
    "21211": _rule("Invalid number", "Check the customer's number.", NEVER, "invalid_recipient"),
    "21614": _rule("Not a mobile number", "Check the customer's number.", NEVER, "invalid_recipient"),
    "20003": _TOKEN,
    "20429": _THROUGHPUT,
    "63018": _THROUGHPUT,
    "63019": _MEDIA_DOWNLOAD,
    "11751": _rule("Attachment too large", "Send a smaller file.", NEVER, "media"),
    "21620": _rule("Attachment refused", "Send a different file in a supported format.", NEVER, "media"),
    "30008": _PROVIDER_DOWN,
}

SINCH: dict[str, ErrorRule] = {
    "OUTSIDE_ALLOWED_SENDING_WINDOW": _WINDOW,
    "RECIPIENT_NOT_REACHABLE": _UNDELIVERABLE,
    "RECIPIENT_INVALID_CHANNEL_IDENTITY": _rule(
        "Invalid recipient", "Check the customer's number: it is not a WhatsApp number.", NEVER, "invalid_recipient"
    ),
    "RECIPIENT_NOT_OPTED_IN": _rule(
        "The customer has not opted in", "Ask the customer to write first, then answer.", NEVER, "invalid_recipient"
    ),
    "MEDIA_TYPE_UNSUPPORTED": _rule("Attachment type not supported", "Send a file in a supported format.", NEVER, "media"),
    "MEDIA_TOO_LARGE": _rule("Attachment too large", "Send a smaller file.", NEVER, "media"),
    "MEDIA_NOT_REACHABLE": _MEDIA_DOWNLOAD,
    "RATE_LIMITED": _THROUGHPUT,
    "CHANNEL_FAILURE": _PROVIDER_DOWN,
    "INTERNAL_ERROR": _PROVIDER_DOWN,
    "TIMEOUT": _rule("The provider timed out", "Nothing to do: Parley sends it again shortly.", BACKOFF, "timeout"),
    "BAD_REQUEST": _BAD_MESSAGE,
    "CHANNEL_BAD_CREDENTIALS": _TOKEN,
    "CHANNEL_REJECT": _rule(
        "WhatsApp rejected the message",
        "Change the message, or send a template if the customer has not written lately.",
        NEVER,
        "bad_request",
    ),
}

KALEYRA: dict[str, ErrorRule] = {
    "RBC001": _TOKEN,  # incorrect SID or API key
    "WA401": _TOKEN,
    "WA400": _BAD_MESSAGE,
    "WA500": _PROVIDER_DOWN,
    "E110": _rule(
        "The provider account's balance is too low",
        "An admin must top up the Kaleyra account; then press Retry.",
        NEVER,
        "bad_request",
    ),
    "WAV2101": _rule(
        "The provider account's daily limit is reached",
        "Try again tomorrow, or ask an admin to raise the Kaleyra account's limit.",
        NEVER,
        "rate_limited",
    ),
}

#: Which tables a provider's codes are looked up in, in order. Kaleyra relays Meta's codes; the
#: sandbox plays Meta.
_TABLES = {"meta": (META,), "sandbox": (META,), "kaleyra": (KALEYRA, META), "twilio": (TWILIO,), "sinch": (SINCH,)}


def rule_for(provider: str | None, code) -> ErrorRule | None:
    """The table's row for `code` of `provider` (Meta's when the provider is not known), or None."""
    code = str(code or "").strip()
    for table in _TABLES.get(provider or "meta", (META,)):
        if code in table:
            return table[code]
    if (provider or "meta") in ("meta", "kaleyra", "sandbox") and code.isdigit() and 200 <= int(code) <= 299:
        return _PERMISSION  # Graph API permission errors span the range
    return None


def classify(provider: str | None, code, default: tuple[str, bool] = ("other", False)) -> tuple[str, bool]:
    """(category, retryable) of `code` as the table says, else `default`: what adapters put on a ProviderError."""
    rule = rule_for(provider, code)
    return (rule.category, rule.retryable) if rule else default
