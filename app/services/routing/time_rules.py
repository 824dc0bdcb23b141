"""The periodic pass over the queues' time rules: the customer's inactivity and the first-response target."""

from app.db import get_db
from app.services.routing import customer_idle, first_response


def check():
    """Run both rules over every queue (a few admin-made documents); returns what each did."""
    queues = list(get_db().queues.find({}, {"routing": 1, "inactivity": 1}))
    return {**customer_idle.close_idle(queues), "flagged": first_response.flag_overdue(queues)}
