"""A queue's business hours and waiting messages through the REST API: a round trip of every
setting, a change that gives some of them, and each bad value refused next to its field."""

import pytest

from app.domain.shapes import DEFAULT_POSITION, DEFAULT_RECEIVED

HOURS = {
    "enabled": True,
    "timezone": "Europe/Rome",
    "weekly": {"monday": [{"start": "14:00", "end": "18:00"}, {"start": "09:00", "end": "13:00"}],
               "friday": [{"start": "20:00", "end": "00:00"}]},
    "holidays": [{"date": "2026-12-25", "name": "Christmas Day"}, {"date": "2026-01-01"}],
    "out_of_hours_message": "We are closed. We answer on weekdays from 9 to 18.",
    "out_of_hours_to_bot": False,
}
WAITING = {
    "received": {"enabled": True, "text": "Got it, thanks!"},
    "position": {"enabled": True, "text": "You are number {position}. Wait: {wait}."},
    "no_agents": {"enabled": False},
    "every_minutes": 10,
}


def created(api, **fields):
    response = api.post("/queues", json={"name": "Support", **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def fields_of(response):
    assert response.status_code in (400, 422), response.get_json()
    return response.get_json()["error"]["fields"]


def test_the_settings_round_trip_tidied(api):
    queue = created(api, hours=HOURS, waiting_messages=WAITING)
    got = api.get(f"/queues/{queue['id']}").get_json()
    hours, waiting = got["hours"], got["waiting_messages"]
    assert hours["enabled"] is True and hours["timezone"] == "Europe/Rome"
    assert hours["weekly"]["monday"] == [{"start": "09:00", "end": "13:00"}, {"start": "14:00", "end": "18:00"}]  # in order
    assert hours["weekly"]["friday"] == [{"start": "20:00", "end": "24:00"}]  # an end of 00:00 is midnight
    assert hours["weekly"]["sunday"] == []
    assert hours["holidays"] == [{"date": "2026-01-01", "name": ""}, {"date": "2026-12-25", "name": "Christmas Day"}]
    assert hours["out_of_hours_message"] == HOURS["out_of_hours_message"]
    assert waiting["received"] == {"enabled": True, "text": "Got it, thanks!"}
    assert waiting["no_agents"]["enabled"] is False and waiting["no_agents"]["text"]  # its default text
    assert waiting["every_minutes"] == 10


def test_a_change_keeps_the_settings_it_does_not_give(api):
    queue = created(api, hours=HOURS, waiting_messages=WAITING)
    response = api.patch(f"/queues/{queue['id']}", json={"hours": {"weekly": {"sunday": [{"start": "10:00", "end": "12:00"}]}},
                                                          "waiting_messages": {"position": {"enabled": False}}})
    assert response.status_code == 200, response.get_json()
    got = api.get(f"/queues/{queue['id']}").get_json()
    assert got["hours"]["weekly"]["sunday"] == [{"start": "10:00", "end": "12:00"}]
    assert got["hours"]["weekly"]["monday"] == [{"start": "09:00", "end": "13:00"}, {"start": "14:00", "end": "18:00"}]
    assert got["hours"]["timezone"] == "Europe/Rome" and got["hours"]["holidays"][1]["name"] == "Christmas Day"
    assert got["waiting_messages"]["position"] == {"enabled": False, "text": "You are number {position}. Wait: {wait}."}
    assert got["waiting_messages"]["received"]["enabled"] is True and response.get_json()["name"] == "Support"


def test_a_queue_without_settings_shows_the_defaults(api):
    got = created(api)
    assert got["hours"]["enabled"] is False and got["hours"]["timezone"] == "UTC"
    assert got["waiting_messages"]["received"] == {"enabled": False, "text": DEFAULT_RECEIVED}
    assert got["waiting_messages"]["position"]["text"] == DEFAULT_POSITION
    assert got["waiting_messages"]["every_minutes"] == 5


@pytest.mark.parametrize(("monday", "error"), [
    ([{"start": "13:00", "end": "09:00"}], "An opening must start before it ends: 13:00-09:00."),
    ([{"start": "09:00", "end": "09:00"}], "An opening must start before it ends: 09:00-09:00."),
    ([{"start": "09:00", "end": "13:00"}, {"start": "12:30", "end": "18:00"}], "Openings overlap: 09:00-13:00 and 12:30-18:00."),
    ([{"start": "9am", "end": "13:00"}], "Write each opening as two times HH:MM, e.g. 09:00-17:30."),
    ([{"start": "25:00", "end": "26:00"}], "Write each opening as two times HH:MM, e.g. 09:00-17:30."),
    ([{"start": "09:00"}], "Write each opening as two times HH:MM, e.g. 09:00-17:30."),
    ("09:00-13:00", "Must be a list of openings {start, end}."),
    ([{"start": f"{h:02}:00", "end": f"{h:02}:30"} for h in range(24)] * 2, "At most 24 openings a day."),
])
def test_a_bad_opening_is_refused_on_its_day(api, monday, error):
    fields = fields_of(api.post("/queues", json={"name": "Support", "hours": {"weekly": {"monday": monday}}}))
    assert fields == {"hours.weekly.monday": error}


def test_other_bad_settings_are_refused_next_to_their_fields(api):
    fields = fields_of(api.post("/queues", json={"name": "Support", "hours": {
        "enabled": True, "timezone": "Mars/Olympus", "weekly": {"funday": []},
        "holidays": [{"date": "2026-02-30"}]}, "waiting_messages": {
        "received": {"enabled": True, "text": "  "}, "position": {"text": "You are {place}."}, "every_minutes": 0}}))
    assert fields == {
        "hours.timezone": "Unknown time zone: use a name like Europe/Rome.",
        "hours.weekly.funday": "Unknown field.",
        "hours.holidays": "Not a date: 2026-02-30 (use YYYY-MM-DD).",
        "hours.enabled": "Add at least one opening, or turn business hours off.",
        "waiting_messages.received.text": "Required while this message is on.",
        "waiting_messages.position.text": "Use only the placeholders {position} and {wait}.",
        "waiting_messages.every_minutes": "Must be at least 1.",
    }


def test_turning_a_message_on_later_needs_its_text(api):
    queue = created(api, waiting_messages={"no_agents": {"enabled": False, "text": ""}})
    fields = fields_of(api.patch(f"/queues/{queue['id']}", json={"waiting_messages": {"no_agents": {"enabled": True}}}))
    assert fields == {"waiting_messages.no_agents.text": "Required while this message is on."}
