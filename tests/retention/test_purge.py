"""The retention purge: run by a real RQ worker from the maintenance queue, with the engine's clock
moved instead of waiting days."""

from datetime import timedelta

import pytest

import config
from app import jobs, queues
from app.db import get_db
from app.domain import messages as msgs
from app.services import clock
from app.services.attachments import media_store
from app.services.conversations import lifecycle, live
from app.services.errors import NotFound
from app.services.retention import purge
from app.services.retention.policy import Retention
from tests.interactions.support import attach_image, make_team, taken
from tests.support.builders import csrf_token
from tests.support.jobs import run_inbound
from tests.support.query_shapes import embedded_only, recording, uncovered
from workers import context
from workers.periodic import PERIODIC_JOBS

DAY = timedelta(days=1)


@pytest.fixture
def team(app):
    context.bind(app)
    return make_team()


def closed(team, phone, with_image=True):
    """A conversation accepted by Alice, with a customer's image, then closed by her."""
    interaction = taken(team["account"], team["alice"], phone, "Hello")
    file_id = attach_image(interaction) if with_image else None
    lifecycle.close(team["alice"], interaction["_id"])
    return interaction["_id"], file_id


def run_purge(app, **days):
    """Queue the purge as the cron process does and run it with a real worker; returns its counts."""
    app.config["PARLEY_RETENTION"] = {**app.config["PARLEY_RETENTION"], **days}
    job = jobs.enqueue(jobs.PURGE_EXPIRED)
    run_inbound(app, ("maintenance",))
    job.refresh()
    assert job.get_status() == "finished", job.exc_info
    return job.meta["outcome"]


def file_exists(file_id):
    try:
        media_store.get(file_id)
    except NotFound:
        return False
    return True


def test_closed_interactions_past_their_period_go_with_their_messages_and_media(app, team):
    old, old_file = closed(team, "+15550000001")
    clock.advance(20 * DAY)
    recent, recent_file = closed(team, "+15550000002")
    still_open = taken(team["account"], team["bob"], "+15550000003", "Are you there?")["_id"]
    attach_image({"_id": still_open})
    get_db().provider_errors.insert_one({"interaction_id": old, "at": clock.now(), "code": "131026"})
    clock.advance(11 * DAY)

    assert queues.get_redis().exists(live.log_key(old))
    counts = run_purge(app, interactions_days=30)

    assert counts["interactions"] == 1 and counts["media_files"] == 1 and counts["messages"] >= 3
    db = get_db()
    assert db.interactions.find_one({"_id": old}) is None
    assert db.messages.count_documents({"interaction_id": old}) == 0
    assert not file_exists(old_file)
    assert db.provider_errors.count_documents({"interaction_id": old}) == 0
    assert not queues.get_redis().exists(live.log_key(old))
    assert db.interactions.find_one({"_id": recent}) and file_exists(recent_file)
    assert db.interactions.find_one({"_id": still_open})["is_open"]
    assert db.messages.count_documents({"interaction_id": still_open}) >= 2
    assert run_purge(app, interactions_days=30)["interactions"] == 0


def test_zero_keeps_conversations_forever(app, team):
    old, old_file = closed(team, "+15550000001")
    clock.advance(3650 * DAY)
    counts = run_purge(app)
    assert counts["interactions"] == counts["media_files"] == 0
    assert get_db().interactions.find_one({"_id": old}) and file_exists(old_file)


def test_an_interaction_reopened_is_never_purged(app, team):
    interaction, file_id = closed(team, "+15550000001")
    clock.advance(40 * DAY)
    lifecycle.reopen(team["alice"], interaction)
    assert run_purge(app, interactions_days=30, media_days=10) == {**dict.fromkeys(purge_counts(), 0)}
    assert get_db().interactions.find_one({"_id": interaction})["is_open"] and file_exists(file_id)


def purge_counts():
    return ("interactions", "messages", "media_files", "media_messages", "webhook_failures", "provider_errors")


def test_media_alone_goes_after_its_period_and_the_messages_stay(app, team, admin_client):
    old, old_file = closed(team, "+15550000001")
    clock.advance(5 * DAY)
    recent, recent_file = closed(team, "+15550000002")
    clock.advance(6 * DAY)
    messages_before = get_db().messages.count_documents({"interaction_id": old})

    counts = run_purge(app, media_days=10)

    assert counts["media_files"] == 1 and counts["media_messages"] == 1 and counts["interactions"] == 0
    assert not file_exists(old_file) and file_exists(recent_file)
    image = get_db().messages.find_one({"interaction_id": old, "kind": "image"})
    assert image["media"]["state"] == "deleted" and "file_id" not in image["media"]
    assert get_db().messages.count_documents({"interaction_id": old}) == messages_before
    page = admin_client.get(f"/interactions/{old}").get_data(as_text=True)
    assert "photo.png (deleted after the retention period)" in page
    token = csrf_token(admin_client, f"/interactions/{old}")
    retried = admin_client.post(f"/media/{old}/{image['id']}/retry", headers={"X-CSRFToken": token})
    assert retried.status_code == 409 and "retention period" in retried.json["error"]["message"]
    clock.advance(5 * DAY)
    assert run_purge(app, media_days=10)["media_files"] == 1  # the next run goes on from where it stopped
    assert not file_exists(recent_file)


def test_a_run_works_in_batches_and_stops_at_its_budget(app, team):
    ids = [closed(team, f"+1555000010{n}", with_image=False)[0] for n in range(5)]
    clock.advance(31 * DAY)
    retention = Retention(interactions_days=30)
    assert purge.run(retention, budget_seconds=0)["interactions"] == 0
    assert purge.run(retention, batch=2)["interactions"] == 5
    assert get_db().interactions.count_documents({"_id": {"$in": ids}}) == 0


def test_interactions_closed_at_the_same_instant_are_never_split_between_batches(app, team):
    clock.freeze()
    files = [closed(team, f"+1555000020{n}")[1] for n in range(3)]  # one instant: the clock stands still
    clock.reset()
    clock.advance(31 * DAY)
    assert purge.run(Retention(media_days=30), batch=2)["media_files"] == 3
    assert not any(file_exists(f) for f in files)


@embedded_only
def test_the_purge_queries_only_through_declared_indexes(app, team):
    closed(team, "+15550000001")
    clock.advance(5 * DAY)
    closed(team, "+15550000002")
    clock.advance(30 * DAY)
    collections = {"interactions", "messages", "provider_errors", "webhook_failures", "retention_marks"}
    with recording(collections) as shapes:
        purge.run(Retention(interactions_days=32, media_days=1, webhook_failures_days=1, provider_errors_days=1))
    assert len(shapes) > 8
    assert uncovered(shapes) == []


def test_failures_and_provider_errors_go_after_their_days(app, team):
    db = get_db()
    db.webhook_failures.insert_one({"at": clock.now(), "error": "old"})
    db.provider_errors.insert_one({"interaction_id": None, "at": clock.now(), "code": "old"})
    clock.advance(8 * DAY)
    db.webhook_failures.insert_one({"at": clock.now(), "error": "new"})
    counts = run_purge(app, webhook_failures_days=7, provider_errors_days=7)
    assert counts["webhook_failures"] == 1 and counts["provider_errors"] == 1
    assert [d["error"] for d in db.webhook_failures.find()] == ["new"]


def test_the_purge_runs_every_ten_minutes():
    assert any(p.job is jobs.PURGE_EXPIRED and p.interval == 600 for p in PERIODIC_JOBS)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PARLEY_RETAIN_INTERACTIONS_DAYS", "-1"),
        ("PARLEY_RETAIN_MEDIA_DAYS", "ninety"),
        ("PARLEY_RETAIN_WEBHOOK_FAILURES_DAYS", "31"),
        ("PARLEY_RETAIN_PROVIDER_ERRORS_DAYS", "0"),
    ],
)
def test_a_setting_out_of_range_stops_the_start_with_its_name(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(config.ConfigError, match=variable):
        config.TestingConfig()


def test_a_run_cut_off_after_deleting_a_batch_leaves_nothing_behind(app, team):
    old, old_file = closed(team, "+15550000011")
    clock.advance(40 * DAY)
    # What a worker killed between the two steps leaves: the batch written down, its interaction deleted.
    get_db().retention_marks.insert_one({"_id": purge.IN_FLIGHT, "ids": [old]})
    get_db().interactions.delete_one({"_id": old})
    assert get_db().messages.count_documents({"interaction_id": old}) >= 2

    counts = run_purge(app, interactions_days=30)
    assert counts["interactions"] == 1 and counts["media_files"] == 1
    assert get_db().messages.count_documents({"interaction_id": old}) == 0 and not file_exists(old_file)
    assert get_db().retention_marks.find_one({"_id": purge.IN_FLIGHT}) is None


def _holds(interaction_id, file_id):
    """A message of the interaction holding the file (as an agent's message sending it does)."""
    message = {"id": msgs.new_id(), "direction": "out", "author": "agent", "kind": "image", "at": clock.now(),
               "media": {"file_id": file_id, "mime_type": "image/png", "state": "ready"}}
    lifecycle.append_line({"_id": interaction_id}, {"$inc": {"messages_len": 1}}, message)


def test_a_file_another_conversation_or_a_template_uses_stays_and_an_unsent_upload_goes(app, team):
    old, shared = closed(team, "+15550000021")
    header = media_store.put(b"\x89PNG header", "header.png", "image/png", purpose="template_header")["file_id"]
    _holds(old, header)  # a template with a header image was sent in the old conversation
    unsent = media_store.put(b"\x89PNG draft", "draft.png", "image/png", interaction_id=str(old))["file_id"]
    clock.advance(40 * DAY)
    elsewhere = taken(team["account"], team["bob"], "+15550000022", "Hi")["_id"]
    _holds(elsewhere, shared)  # an agent sent the old conversation's file again here

    counts = run_purge(app, interactions_days=30)
    assert counts["interactions"] == 1 and counts["media_files"] == 1
    assert not file_exists(unsent)
    assert file_exists(shared) and file_exists(header)
    assert get_db().messages.count_documents({"interaction_id": old}) == 0


def test_a_purge_while_another_runs_leaves_it_alone(app, team):
    closed(team, "+15550000031")
    clock.advance(40 * DAY)
    queues.get_redis().set(purge.LOCK_KEY, "another run", ex=60)
    assert run_purge(app, interactions_days=30) == "busy"
    assert get_db().interactions.count_documents({}) == 1
    queues.get_redis().delete(purge.LOCK_KEY)
    assert run_purge(app, interactions_days=30)["interactions"] == 1
    assert not queues.get_redis().exists(purge.LOCK_KEY)
