"""Events that could not be stored when they arrived are replayed by `flask replay-webhook-failures`."""

from bson import ObjectId

from app.db import get_db
from app.providers.events import event_from_dict
from app.services import clock
from tests.support.builders import make_user
from tests.support.engine import customer_says, make_queue, make_sandbox_account, stored_messages


def keep_failure(account_id, event):
    """What the endpoint stores when ingesting an event raised."""
    get_db().webhook_failures.insert_one(
        {
            "account_id": account_id,
            "provider": "sandbox",
            "event": event.to_dict(),
            "error": "RuntimeError: boom",
            "at": clock.now(),
        }
    )


def test_failed_events_are_replayed_once_stored(app, runner):
    account = make_sandbox_account(make_queue([make_user("agent")["_id"]]))
    media = {"url": "data:image/png;base64,iVBORw0KGgo=", "mime_type": "image/png"}
    [text] = customer_says(account, "+447700900123", "Lost the first time", name="Maria")
    [photo] = customer_says(account, "+447700900123", None, kind="image", caption="receipt", media=media)
    keep_failure(account["_id"], text)
    keep_failure(account["_id"], photo)
    keep_failure(ObjectId(), text)  # an account deleted since

    result = runner.invoke(args=["replay-webhook-failures"])
    assert result.exit_code == 0 and "2 replayed, 0 failed again, 1 for deleted accounts" in result.output
    [interaction] = list(get_db().interactions.find({}))
    messages = stored_messages(interaction["_id"])
    assert [m.get("text") or m.get("caption") for m in messages] == ["Lost the first time", "receipt"]
    assert messages[1]["media"]["mime_type"] == "image/png"
    assert get_db().webhook_failures.count_documents({}) == 0
    assert "0 replayed" in runner.invoke(args=["replay-webhook-failures"]).output


def test_an_event_survives_the_round_trip_through_its_stored_form(app):
    account = make_sandbox_account(make_queue())
    [event] = customer_says(
        account, "+447700900123", None, kind="location", location={"latitude": 45.4, "longitude": 9.2, "name": "Duomo"}
    )
    assert event_from_dict(event.to_dict()) == event
