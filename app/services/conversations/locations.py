"""A location as an agent or a simulated customer sends it: coordinates in range, short texts."""

from app.services.errors import ValidationFailed

TEXT_LIMITS = {"name": 200, "address": 300}


def check_location(value):
    """{latitude, longitude, name, address} from `value`, or ValidationFailed naming the problem."""
    value = value if isinstance(value, dict) else {}
    try:
        lat, lng = float(value["latitude"]), float(value["longitude"])
    except (KeyError, TypeError, ValueError):
        raise ValidationFailed("A location needs latitude and longitude.", {"location": "Latitude and longitude."}) from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationFailed("Coordinates out of range.", {"location": "Latitude ±90, longitude ±180."})
    checked = {"latitude": lat, "longitude": lng}
    for field, limit in TEXT_LIMITS.items():
        text = value[field].strip() if isinstance(value.get(field), str) else ""
        if len(text) > limit:
            raise ValidationFailed(f"The location's {field} is too long.", {field: f"At most {limit} characters."})
        checked[field] = text or None
    return checked
