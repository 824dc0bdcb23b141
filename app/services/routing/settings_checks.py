"""The rules of a queue's business hours and waiting messages that their shapes leave to the service:
each day's openings (times, start before end, no overlaps), the time zone, the holidays, and the
texts an enabled message needs. Problems are reported on the field they concern ("hours.weekly.monday")."""

import re
from datetime import date

from app.domain.shapes import CLOCK_TIME, WEEKDAYS
from app.services.routing.hours import minutes, zone_of
from app.services.routing.queue_settings import hours_of, merged, waiting_of

MAX_HOLIDAYS = 366
MAX_OPENINGS = 24  # a day's openings
HOLIDAY_NAME_MAX = 100
PLACEHOLDERS = {"position", "wait"}
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MESSAGE_KINDS = ("received", "position", "no_agents")


def check(fields, current=None):
    """Check and tidy `fields.values` (app/services/setup/records.Fields of a Queue) in place; `current`
    is the stored queue when it changes (a change may give only some of the settings)."""
    hours = fields.values.get("hours")
    if hours is not None:
        _check_hours(fields, hours, merged(hours_of(current), hours))
    waiting = fields.values.get("waiting_messages")
    if waiting is not None:
        _check_waiting(fields, merged(waiting_of(current), waiting))


def _check_hours(fields, given, effective):
    if "timezone" in given and zone_of(given["timezone"]) is None:
        fields.fail("hours.timezone", "Unknown time zone: use a name like Europe/Rome.")
    for day, raw in (given.get("weekly") or {}).items():
        given["weekly"][day] = _openings(fields, f"hours.weekly.{day}", raw)
    if "holidays" in given:
        given["holidays"] = _holidays(fields, given["holidays"])
    weekly = {**effective["weekly"], **(given.get("weekly") or {})}
    if effective["enabled"] and not any(weekly.get(day) for day in WEEKDAYS):
        fields.fail("hours.enabled", "Add at least one opening, or turn business hours off.")


def _openings(fields, name, raw):
    """A day's intervals, sorted, with an end of 00:00 read as midnight at the day's end (24:00)."""
    if not isinstance(raw, list) or not all(isinstance(i, dict) for i in raw):
        fields.fail(name, "Must be a list of openings {start, end}.")
        return []
    if len(raw) > MAX_OPENINGS:
        fields.fail(name, f"At most {MAX_OPENINGS} openings a day.")
        return []
    intervals = []
    for item in raw:
        start, end = item.get("start"), item.get("end")
        if set(item) - {"start", "end"} or not all(isinstance(t, str) and re.match(CLOCK_TIME, t) for t in (start, end)):
            fields.fail(name, "Write each opening as two times HH:MM, e.g. 09:00-17:30.")
            return []
        end = "24:00" if end == "00:00" else end
        if start == "24:00" or minutes(start) >= minutes(end):
            fields.fail(name, f"An opening must start before it ends: {start}-{end}.")
            return []
        intervals.append({"start": start, "end": end})
    intervals.sort(key=lambda i: minutes(i["start"]))
    for before, after in zip(intervals, intervals[1:], strict=False):
        if minutes(after["start"]) < minutes(before["end"]):
            fields.fail(name, f"Openings overlap: {before['start']}-{before['end']} and {after['start']}-{after['end']}.")
            return []
    return intervals


def _holidays(fields, raw):
    if not isinstance(raw, list) or not all(isinstance(h, dict) for h in raw):
        fields.fail("hours.holidays", "Must be a list of holidays {date, name}.")
        return []
    if len(raw) > MAX_HOLIDAYS:
        fields.fail("hours.holidays", f"At most {MAX_HOLIDAYS} holidays.")
        return []
    days = {}
    for item in raw:
        day, name = item.get("date"), item.get("name") or ""
        if set(item) - {"date", "name"} or not isinstance(name, str):
            fields.fail("hours.holidays", "Each holiday is a date and an optional name.")
            return []
        if _date(day) is None:
            fields.fail("hours.holidays", f"Not a date: {day} (use YYYY-MM-DD).")
            return []
        if len(name.strip()) > HOLIDAY_NAME_MAX:
            fields.fail("hours.holidays", f"A holiday's name has at most {HOLIDAY_NAME_MAX} characters.")
            return []
        days[day] = name.strip()
    return [{"date": day, "name": days[day]} for day in sorted(days)]


def _date(text):
    """A YYYY-MM-DD text as a date, or None."""
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _check_waiting(fields, effective):
    for kind in MESSAGE_KINDS:
        if effective[kind]["enabled"] and not effective[kind]["text"]:
            fields.fail(f"waiting_messages.{kind}.text", "Required while this message is on.")
    if set(PLACEHOLDER.findall(effective["position"]["text"])) - PLACEHOLDERS:
        fields.fail("waiting_messages.position.text", "Use only the placeholders {position} and {wait}.")
