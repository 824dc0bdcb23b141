"""A queue with business hours and waiting messages, fed by a sandbox account, and customers writing
to it through the real webhook, applied and answered by real RQ workers."""

from datetime import UTC, datetime

from app.db import get_db
from app.providers.sandbox import build_inbound
from app.services import clock
from app.services.setup import queue_admin
from tests.support.engine import make_sandbox_account, stored_messages
from tests.support.jobs import run_inbound
from tests.webhooks.support import post_events

WEEKDAYS_9_TO_17 = {day: [{"start": "09:00", "end": "17:00"}] for day in ("monday", "tuesday", "wednesday", "thursday",
                                                                             "friday")}
SATURDAY_10 = datetime(2026, 3, 7, 10, 0, tzinfo=UTC)
MONDAY_9 = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def waiting_queue(agents=(), hours=None, **waiting):
    """A queue of `agents`, with `hours` (enabled) and the waiting messages named (each enabled with its
    default text unless given), and the sandbox account that feeds it."""
    messages = {kind: {"enabled": True, **({"text": text} if isinstance(text, str) else {})}
                for kind, text in waiting.items() if kind != "every_minutes"}
    if "every_minutes" in waiting:
        messages["every_minutes"] = waiting["every_minutes"]
    data = {"name": "Support", "agent_ids": [str(a["_id"]) for a in agents], "waiting_messages": messages}
    if hours is not None:
        data["hours"] = {"enabled": True, "timezone": "UTC", "weekly": WEEKDAYS_9_TO_17, **hours}
    queue = queue_admin.create_queue(data)
    return queue, make_sandbox_account(queue)


def customer_writes(client, account, sender, text="Hello", timestamp=None):
    """POST the customer's message to the webhook; the workers apply it, answer it and send the answer."""
    at = timestamp or clock.now()
    post_events(client, account, build_inbound(sender, "text", text=text, timestamp=int(at.timestamp())))
    run_inbound(client.application, ("inbound", "outbound"))
    return get_db().interactions.find_one({"account_id": account["_id"], "contact.phone": sender})


def automatic(interaction):
    """(text, status) of the automatic messages the customer was sent, oldest first."""
    return [(m["text"], m["status"]) for m in stored_messages(interaction["_id"]) if m.get("automatic")]


def system_lines(interaction):
    return [m["text"] for m in stored_messages(interaction["_id"]) if m["direction"] == "system"]
