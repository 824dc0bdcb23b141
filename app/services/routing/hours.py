"""A queue's business hours: whether it is open at a moment, and when it next opens.

The weekly schedule and the holidays are on the wall clock of the queue's time zone, so an opening at
09:00 stays at 09:00 across a daylight-saving change (it moves in UTC). An interval may end at 24:00
(midnight at the end of its day); a holiday closes its whole local day.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.domain.shapes import WEEKDAYS
from app.services.routing import queue_settings

DAY_MINUTES = 24 * 60
# How far next_opening looks: a year of holidays, then a week of schedule.
HORIZON_DAYS = 366 + 7


def zone_of(name):
    """The ZoneInfo named `name`, or None when no such zone exists."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "America" names a folder of zones: OSError
        return None


def minutes(clock_time):
    """"HH:MM" as minutes since midnight (24:00 is 1440)."""
    hours, mins = clock_time.split(":")
    return int(hours) * 60 + int(mins)


def is_open(queue, at):
    """Whether the queue takes conversations at `at` (aware); a queue without hours enabled always does."""
    hours = queue_settings.hours_of(queue)
    if not hours["enabled"]:
        return True
    zone = zone_of(hours["timezone"]) or UTC
    local = at.astimezone(zone)
    if local.date().isoformat() in _holidays(hours):
        return False
    now = local.hour * 60 + local.minute + local.second / 60
    return any(start <= now < end for start, end in _openings(hours, local.date()))


def next_opening(queue, at):
    """The first moment at or after `at` when the queue is open (`at` itself when it is open now), or
    None when its schedule never opens within a year."""
    if is_open(queue, at):
        return at
    hours = queue_settings.hours_of(queue)
    zone = zone_of(hours["timezone"]) or UTC
    holidays = _holidays(hours)
    first_day = at.astimezone(zone).date()
    for offset in range(HORIZON_DAYS):
        day = first_day + timedelta(days=offset)
        if day.isoformat() in holidays:
            continue
        for start, _end in _openings(hours, day):
            opens = _instant(day, start, zone)
            if opens >= at:
                return opens
    return None


def _holidays(hours):
    return {holiday["date"] for holiday in hours.get("holidays") or []}


def _openings(hours, day):
    """The (start, end) minutes of `day`'s intervals, in order."""
    intervals = (hours.get("weekly") or {}).get(WEEKDAYS[day.weekday()]) or []
    return sorted((minutes(i["start"]), minutes(i["end"])) for i in intervals)


def _instant(day, minute_of_day, zone):
    """The UTC instant of a wall-clock minute of `day` in `zone`. A wall time the clocks skip (the hour
    lost to daylight saving) is reached when the clocks jump: that moment is returned."""
    day, minute_of_day = (day + timedelta(days=1), 0) if minute_of_day == DAY_MINUTES else (day, minute_of_day)
    wall = datetime.combine(day, time(minute_of_day // 60, minute_of_day % 60), tzinfo=zone)
    instant = wall.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None):
        return instant
    return _jump(wall.replace(fold=1).astimezone(UTC), instant, zone)


def _jump(before, after, zone):
    """The instant between `before` and `after` where `zone`'s offset changes (to the second)."""
    offset = before.astimezone(zone).utcoffset()
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        if middle.astimezone(zone).utcoffset() == offset:
            before = middle
        else:
            after = middle
    return after.replace(microsecond=0)


def describe(moment, queue):
    """`moment` on the queue's wall clock, for people: "Monday 5 January 09:00 (Europe/Rome)"."""
    name = queue_settings.hours_of(queue)["timezone"]
    local = moment.astimezone(zone_of(name) or UTC)
    return f"{local:%A} {local.day} {local:%B %H:%M} ({name})"

