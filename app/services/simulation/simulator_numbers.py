"""Customer numbers the simulator gives out: a browser session plays only the numbers it was given.

Numbers come from the North American range kept for fiction (NXX-555-0100 to 0199), so no real
phone is ever named. A unique index on the record of each number given means two sessions never
share one, and a number that already has a conversation is skipped, so nobody inherits someone
else's messages.
"""

import secrets

from pymongo.errors import DuplicateKeyError

from app.db import get_db
from app.services import clock
from app.services.contacts.phones import to_e164
from app.services.errors import Conflict, Forbidden

PER_SESSION = 5
ATTEMPTS = 20


def _candidate():
    return f"+1{201 + secrets.randbelow(789)}55501{secrets.randbelow(100):02d}"


def give(user_id):
    """A fresh number nobody has played yet, recorded as given to this user."""
    for _ in range(ATTEMPTS):
        phone = _candidate()
        if get_db().interactions.find_one({"contact.phone": phone}, {"_id": 1}):
            continue
        try:
            get_db().simulator_numbers.insert_one({"phone": phone, "user_id": user_id, "at": clock.now()})
        except DuplicateKeyError:
            continue
        return phone
    raise Conflict("No free customer number right now: try again.")


def more(user_id, given):
    """The session's numbers with one more, up to PER_SESSION."""
    if len(given) >= PER_SESSION:
        raise Conflict(f"A session plays at most {PER_SESSION} customer numbers.")
    return [*given, give(user_id)]


def check(phone, given):
    """`phone` in E.164 when this session was given it; Forbidden otherwise."""
    number = to_e164(phone)
    if number not in given:
        raise Forbidden("This simulator session was not given that number.", {"phone": "Choose one of your numbers."})
    return number
