"""A queue's business hours and waiting-customer messages as the message path reads them: stored
values over the shapes' defaults (a queue saved before these settings existed has none)."""

from app.domain.shapes import BusinessHours, WaitingMessages


def merged(defaults, stored):
    """`stored` over `defaults`, nested objects merged key by key."""
    out = dict(defaults)
    for key, value in (stored or {}).items():
        out[key] = merged(defaults[key], value) if isinstance(defaults.get(key), dict) and isinstance(value, dict) else value
    return out


def hours_of(queue):
    return merged(BusinessHours().model_dump(), (queue or {}).get("hours"))


def waiting_of(queue):
    return merged(WaitingMessages().model_dump(), (queue or {}).get("waiting_messages"))


def wants_followup(queue):
    """Whether a customer's message waiting in this queue has anything to do: hours to respect or a message to send."""
    waiting = waiting_of(queue)
    return hours_of(queue)["enabled"] or any(waiting[kind]["enabled"] for kind in ("received", "position", "no_agents"))
