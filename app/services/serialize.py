"""Documents to JSON-ready data: ObjectIds become strings, datetimes ISO 8601 in UTC."""

from datetime import UTC, datetime

from bson import ObjectId


def plain(value):
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {("id" if k == "_id" else k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value
