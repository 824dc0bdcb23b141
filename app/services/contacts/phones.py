"""Phone numbers in E.164, through the phonenumbers library."""

import phonenumbers

from app.services.errors import ValidationFailed


def to_e164(raw, field="phone", default_region=None):
    """Return `raw` as E.164 ('+15550001111') or raise ValidationFailed naming `field`."""
    text = raw.strip() if isinstance(raw, str) else ""
    if text and not text.startswith("+") and default_region is None:
        text = "+" + text.lstrip("0")
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        raise ValidationFailed(
            "Invalid phone number.", {field: "Enter a number in international format, e.g. +44 20 7946 0958."}
        ) from None
    if not phonenumbers.is_possible_number(number):
        raise ValidationFailed(
            "Invalid phone number.", {field: "This number is not possible: check its length and country code."}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
