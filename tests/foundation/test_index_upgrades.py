"""An index that an upgrade declares differently from the one in the database: the process starts
and names it, with the way to migrate; `init-db` fails until it is migrated."""

import logging

import pytest
from pymongo import ASCENDING
from pymongo.errors import OperationFailure

from app import db

ERRORS_TTL = "at_1"  # provider_errors: declared with expireAfterSeconds of 30 days


def test_the_embedded_engine_refuses_clashing_indexes_with_the_server_codes(app):
    errors = db.get_db().provider_errors
    with pytest.raises(OperationFailure) as options:
        errors.create_index([("at", ASCENDING)], name=ERRORS_TTL, expireAfterSeconds=60)
    with pytest.raises(OperationFailure) as keys:
        errors.create_index([("event", ASCENDING)], name=ERRORS_TTL)
    with pytest.raises(OperationFailure) as renamed:
        errors.create_index([("at", ASCENDING)], name="at_again", expireAfterSeconds=30 * db.DAY)
    assert (options.value.code, keys.value.code, renamed.value.code) == (85, 86, 85)
    assert "different name: at_1" in str(renamed.value)
    assert "at_again" not in errors.index_information()


def test_a_changed_index_is_named_with_its_migration_and_the_others_are_still_created(app, caplog):
    database = db.get_db()
    database.provider_errors.drop_index(ERRORS_TTL)
    database.provider_errors.create_index([("at", ASCENDING)], name=ERRORS_TTL, expireAfterSeconds=60)
    database.users.drop_indexes()
    database.users.create_index([("email", ASCENDING)], name="email_1")  # an old release: not unique

    with caplog.at_level(logging.ERROR, logger="app.db"):
        conflicts = db.ensure_indexes()

    assert conflicts == [
        "index 'email_1' of users differs from its declaration (unique True declared, None in the database): "
        "to migrate, run `flask --app wsgi init-db --rebuild users.email_1` (drops it and creates it as declared)",
        "index 'at_1' of provider_errors differs from its declaration (expireAfterSeconds 2592000 declared, "
        "60 in the database): to migrate, run `flask --app wsgi init-db --rebuild provider_errors.at_1` "
        "(drops it and creates it as declared)",
    ]
    assert [record.getMessage() for record in caplog.records] == conflicts
    assert "role_1_name_1" in database.users.index_information()  # declared after the clash: created


def test_an_index_with_other_keys_under_the_declared_name_is_described(app):
    database = db.get_db()
    database.provider_errors.drop_index(ERRORS_TTL)
    database.provider_errors.create_index([("event", ASCENDING)], name=ERRORS_TTL)
    [conflict] = db.ensure_indexes()
    assert conflict.startswith(
        "index 'at_1' of provider_errors differs from its declaration "
        "(keys [('at', 1)] declared, [('event', 1)] in the database; expireAfterSeconds 2592000 declared, None in the database)"
    )


def test_init_db_fails_naming_the_conflict_until_rebuild_migrates_it(app, runner):
    database = db.get_db()
    database.provider_errors.drop_index(ERRORS_TTL)
    database.provider_errors.create_index([("at", ASCENDING)], name=ERRORS_TTL, expireAfterSeconds=60)

    result = runner.invoke(args=["init-db"])
    assert result.exit_code != 0
    assert "--rebuild provider_errors.at_1" in result.output
    assert "expireAfterSeconds 2592000 declared, 60 in the database" in result.output

    result = runner.invoke(args=["init-db", "--rebuild", "provider_errors.at_1"])
    assert result.exit_code == 0, result.output
    assert f"provider_errors.at_1 rebuilt.\n{len(db.INDEXES)} indexes in place." in result.output
    assert database.provider_errors.index_information()[ERRORS_TTL]["expireAfterSeconds"] == 30 * db.DAY


def test_rebuild_replaces_an_index_kept_under_another_name(app, runner):
    database = db.get_db()
    database.provider_errors.drop_index(ERRORS_TTL)
    database.provider_errors.create_index([("at", ASCENDING)], name="old_name", expireAfterSeconds=60)
    assert "named 'old_name' in the database" in db.ensure_indexes()[0]

    assert runner.invoke(args=["init-db", "--rebuild", "provider_errors.at_1"]).exit_code == 0
    names = set(database.provider_errors.index_information())
    assert ERRORS_TTL in names and "old_name" not in names


def test_rebuild_names_what_stops_it(app, runner):
    unknown = runner.invoke(args=["init-db", "--rebuild", "users.nothing_1"])
    assert unknown.exit_code != 0 and "no declared index is named 'users.nothing_1'" in unknown.output

    database = db.get_db()
    database.users.drop_index("email_1")
    database.users.insert_many([{"email": "twice@parley.example"}, {"email": "twice@parley.example"}])
    duplicates = runner.invoke(args=["init-db", "--rebuild", "users.email_1"])
    assert duplicates.exit_code != 0
    assert "users.email_1 could not be created as declared" in duplicates.output and "E11000" in duplicates.output
