"""An attachment the retention purge deleted, as the desktop shows it: said, not "loading" forever."""

from datetime import timedelta

from playwright.sync_api import expect

from app.db import get_db
from app.services import clock
from app.services.conversations import lifecycle, routing
from app.services.retention import purge
from app.services.retention.policy import Retention
from tests.desktop.conftest import says
from tests.interactions.support import attach_image


def test_a_deleted_attachment_says_why(team, desktop):
    says(team["sandbox"], "+447700900311", "Here is my receipt", name="Rita Receipt")
    interaction = get_db().interactions.find_one({"contact.phone": "+447700900311"})
    routing.accept(team["alice"], interaction["_id"])
    attach_image(interaction)
    lifecycle.close(team["alice"], interaction["_id"])
    clock.advance(timedelta(days=31))
    assert purge.run(Retention(media_days=30))["media_files"] == 1

    alice = desktop(team["alice"])
    alice.goto(f"/desktop/?open={interaction['_id']}")
    pane = alice.locator("[data-testid=pane]:visible")
    expect(pane.get_by_text("Photo: Deleted after the retention period.")).to_be_visible(timeout=15_000)
