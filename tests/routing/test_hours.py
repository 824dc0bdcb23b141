"""Business hours on fixed instants: the weekly schedule on the queue's wall clock, holidays in its
zone, daylight-saving days, an opening that ends at midnight, and the next opening."""

from datetime import UTC, datetime

from app.services.routing import hours

ROME_WEEKDAYS = {day: [{"start": "09:00", "end": "13:00"}, {"start": "14:00", "end": "18:00"}]
                 for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}


def queue(weekly=None, timezone="Europe/Rome", holidays=(), enabled=True):
    return {"hours": {"enabled": enabled, "timezone": timezone, "weekly": weekly or ROME_WEEKDAYS,
                      "holidays": [{"date": d, "name": ""} for d in holidays]}}


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def test_a_queue_without_hours_is_always_open():
    assert hours.is_open({"name": "Support"}, utc(2026, 3, 8, 3, 0))  # stored before hours existed
    assert hours.is_open(queue(enabled=False), utc(2026, 3, 8, 3, 0))
    assert hours.next_opening(queue(enabled=False), utc(2026, 3, 8, 3, 0)) == utc(2026, 3, 8, 3, 0)


def test_openings_are_on_the_queues_wall_clock():
    rome = queue()
    # Monday 9 March 2026, Rome is UTC+1 in winter.
    assert not hours.is_open(rome, utc(2026, 3, 9, 7, 59))  # 08:59 in Rome
    assert hours.is_open(rome, utc(2026, 3, 9, 8, 0))  # 09:00
    assert hours.is_open(rome, utc(2026, 3, 9, 11, 59))  # 12:59
    assert not hours.is_open(rome, utc(2026, 3, 9, 12, 0))  # 13:00: the lunch break (an end is not included)
    assert hours.is_open(rome, utc(2026, 3, 9, 13, 0))  # 14:00
    assert not hours.is_open(rome, utc(2026, 3, 9, 17, 0))  # 18:00
    assert not hours.is_open(rome, utc(2026, 3, 7, 10, 0))  # Saturday


def test_the_next_opening_skips_the_weekend_and_the_lunch_break():
    rome = queue()
    assert hours.next_opening(rome, utc(2026, 3, 9, 12, 30)) == utc(2026, 3, 9, 13, 0)  # after lunch
    assert hours.next_opening(rome, utc(2026, 3, 6, 17, 0)) == utc(2026, 3, 9, 8, 0)  # Friday 18:00 -> Monday 09:00
    assert hours.next_opening(rome, utc(2026, 3, 9, 9, 0)) == utc(2026, 3, 9, 9, 0)  # open now: now


def test_a_holiday_closes_its_whole_day_in_the_queues_zone():
    rome = queue(holidays=["2026-12-25"])
    assert not hours.is_open(rome, utc(2026, 12, 25, 10, 0))  # Friday, Christmas Day
    assert hours.is_open(rome, utc(2026, 12, 24, 10, 0))
    # 23:30 UTC on the 24th is already the 25th in Rome; and the 25th's holiday ends at Rome's midnight.
    late = queue(weekly={"thursday": [{"start": "00:00", "end": "24:00"}], "friday": [{"start": "00:00", "end": "24:00"}],
                         "saturday": [{"start": "00:00", "end": "24:00"}]}, holidays=["2026-12-25"])
    assert hours.is_open(late, utc(2026, 12, 24, 22, 59))
    assert not hours.is_open(late, utc(2026, 12, 24, 23, 0))
    assert hours.next_opening(late, utc(2026, 12, 24, 23, 0)) == utc(2026, 12, 25, 23, 0)  # Saturday 00:00 in Rome


def test_daylight_saving_moves_the_openings_in_utc_not_on_the_wall_clock():
    rome = queue(weekly={day: [{"start": "09:00", "end": "17:00"}] for day in ("friday", "sunday", "monday")})
    # Sunday 29 March 2026: Rome goes from UTC+1 to UTC+2 at 02:00.
    assert hours.next_opening(rome, utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 7, 0)  # 09:00 CEST
    assert hours.is_open(rome, utc(2026, 3, 29, 14, 59)) and not hours.is_open(rome, utc(2026, 3, 29, 15, 0))
    assert hours.next_opening(rome, utc(2026, 3, 27, 17, 0)) == utc(2026, 3, 29, 7, 0)
    # The Friday before it opened at 08:00 UTC (09:00 CET).
    assert hours.next_opening(rome, utc(2026, 3, 27, 6, 0)) == utc(2026, 3, 27, 8, 0)
    # Sunday 25 October 2026: back to UTC+1 at 03:00.
    assert hours.next_opening(rome, utc(2026, 10, 25, 0, 0)) == utc(2026, 10, 25, 8, 0)
    assert hours.is_open(rome, utc(2026, 10, 25, 15, 59)) and not hours.is_open(rome, utc(2026, 10, 25, 16, 0))


def test_an_opening_the_clocks_skip_begins_when_they_jump():
    rome = queue(weekly={"sunday": [{"start": "02:30", "end": "04:00"}]})
    # 02:30 does not exist on 29 March 2026 in Rome: at 01:00 UTC the clocks go from 02:00 to 03:00.
    assert hours.next_opening(rome, utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 1, 0)
    assert hours.is_open(rome, utc(2026, 3, 29, 1, 0)) and not hours.is_open(rome, utc(2026, 3, 29, 0, 59))


def test_an_opening_may_end_at_midnight():
    late = queue(weekly={"monday": [{"start": "20:00", "end": "24:00"}], "tuesday": [{"start": "00:00", "end": "02:00"}]},
                 timezone="UTC")
    assert hours.is_open(late, utc(2026, 3, 9, 23, 59, 59))
    assert hours.is_open(late, utc(2026, 3, 10, 0, 0))  # Tuesday's opening carries on
    assert not hours.is_open(late, utc(2026, 3, 10, 2, 0))
    assert hours.next_opening(late, utc(2026, 3, 10, 2, 0)) == utc(2026, 3, 16, 20, 0)  # next Monday evening


def test_a_schedule_that_never_opens_has_no_next_opening():
    assert hours.next_opening(queue(weekly={"monday": []}), utc(2026, 3, 9, 9, 0)) is None
    every_monday = queue(weekly={"monday": [{"start": "09:00", "end": "10:00"}]}, timezone="UTC",
                         holidays=["2026-03-09", "2026-03-16"])
    assert hours.next_opening(every_monday, utc(2026, 3, 9, 9, 0)) == utc(2026, 3, 23, 9, 0)


def test_the_opening_is_described_on_the_queues_clock():
    rome = queue()
    assert hours.describe(utc(2026, 3, 9, 8, 0), rome) == "Monday 9 March 09:00 (Europe/Rome)"
