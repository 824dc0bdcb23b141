"""A location as an agent or a simulated customer sends it: coordinates in range, short texts."""

from app.domain.interaction_shapes import Location
from app.services.errors import ValidationFailed
from app.services.setup.records import checked

SAYS = {"latitude": "Latitude ±90, longitude ±180.", "longitude": "Latitude ±90, longitude ±180."}


def check_location(value):
    """{latitude, longitude, name, address} from `value` (a dict, or one its shape has read already),
    or ValidationFailed naming the problem."""
    if not isinstance(value, dict | Location):
        raise ValidationFailed("A location needs latitude and longitude.", {"location": "Latitude and longitude."})
    if isinstance(value, dict):
        value = checked(Location, value, "Check the location.", say=SAYS)
    texts = {field: (getattr(value, field) or "").strip() or None for field in ("name", "address")}
    return {"latitude": value.latitude, "longitude": value.longitude, **texts}
