"""What rarely changes is cached per process: a change is seen at once by the process that made it,
by other processes after their next generation check, and nothing breaks while Redis is down."""

import time

import pytest

from app import crypto, queues
from app.db import get_db
from app.services import config_cache
from app.services.channel import accounts
from app.services.contacts import contact_lists, number_lookup
from app.services.conversations import inbound, routing
from app.services.people import agents
from app.services.setup import queue_admin
from tests.support.engine import customer_says
from tests.support.round_trips import counting
from tools.devstack import free_port

CUSTOMER = "+447700900333"


def _by_key(account):
    """How the webhook path reads an account."""
    return accounts.find_by_webhook_key(account["webhook_key"])


def test_an_account_change_is_seen_at_once_by_the_process_that_made_it(team):
    account = team["account"]
    assert _by_key(account)["name"] == account["name"]
    with counting() as trips:
        _by_key(account)
    assert trips.total == 0, trips
    accounts.update(account["_id"], {"name": "Support line"})
    assert _by_key(account)["name"] == "Support line"
    assert accounts.cached_account(account["_id"])["name"] == "Support line"
    accounts.delete(account["_id"])
    assert _by_key(account) is None


def test_another_process_sees_the_change_after_its_generation_check(team):
    account = team["account"]
    key = ("account-by-key", account["webhook_key"])

    def load():
        return get_db().accounts.find_one({"webhook_key": account["webhook_key"]})

    checks_hourly, checks_often = config_cache.ConfigCache(interval_ms=3_600_000), config_cache.ConfigCache(interval_ms=50)
    assert checks_hourly.cached(key, load)["name"] == checks_often.cached(key, load)["name"] == account["name"]

    accounts.update(account["_id"], {"name": "Renamed elsewhere"})

    assert checks_hourly.cached(key, load)["name"] == account["name"]  # not asked Redis again yet
    time.sleep(0.1)  # past the other process's interval
    assert checks_often.cached(key, load)["name"] == "Renamed elsewhere"


def test_queue_membership_and_agent_activity_reach_offers(team):
    queue, carol = team["queue"], team["carol"]
    members = {str(team["alice"]["_id"]), str(team["bob"]["_id"])}
    assert set(routing.queue_agent_ids(queue["_id"])) == members
    queue_admin.update_queue(str(queue["_id"]), {"agent_ids": [*members, str(carol["_id"])]})
    assert set(routing.queue_agent_ids(queue["_id"])) == members | {str(carol["_id"])}
    agents.update_user(str(team["bob"]["_id"]), {"active": False})
    assert str(team["bob"]["_id"]) not in routing.queue_agent_ids(queue["_id"])
    queue_admin.update_queue(str(queue["_id"]), {"name": "Billing"})
    inbound.ingest(team["account"], customer_says(team["account"], CUSTOMER, "Hello"))
    assert get_db().interactions.find_one({})["queue_name"] == "Billing"


def test_cached_documents_cannot_be_changed_by_callers_and_keep_secrets_encrypted(team):
    account = team["account"]
    shared = _by_key(account)  # the webhook's read-only view: refuses changes
    with pytest.raises(TypeError):
        shared["settings"]["allow_transfer"] = False
    with pytest.raises(TypeError):
        shared["name"] = "changed by a caller"
    with pytest.raises(TypeError):
        shared.update(name="changed by a caller")
    copied = accounts.cached_account(account["_id"])  # a copy of its own: changes stay with the caller
    copied["settings"]["allow_transfer"] = False
    copied["name"] = "changed by a caller"
    for again in (_by_key(account), accounts.cached_account(account["_id"])):
        assert again["name"] == account["name"] and again["settings"]["allow_transfer"] is True
    again = _by_key(account)
    stored = get_db().accounts.find_one({"_id": account["_id"]})
    assert again["secrets"] == stored["secrets"]
    assert crypto.decrypt(again["secrets"]["webhook_secret"]) not in again["secrets"].values()


def test_a_contact_edit_or_deletion_reaches_the_next_message(team):
    account = team["account"]
    inbound.ingest(account, customer_says(account, CUSTOMER, "Hello", name="Maria Rossi"))
    contact = number_lookup.for_customer(account, CUSTOMER)
    contact_lists.update_contact(str(contact["_id"]), {"first_name": "Mary"})
    assert number_lookup.for_customer(account, CUSTOMER)["first_name"] == "Mary"
    contact_lists.delete_contact(str(contact["_id"]))
    # The open conversation goes on (it keeps the contact's name and number); the deleted contact
    # is not served from the cache: the customer's contact is created again.
    assert inbound.ingest(account, customer_says(account, CUSTOMER, "Still there?", name="Maria Rossi")) == {"stored": 1}
    again = number_lookup.for_customer(account, CUSTOMER)
    assert again["_id"] != contact["_id"] and get_db().contacts.find_one({"_id": again["_id"]}) is not None


def test_with_redis_down_reads_go_to_the_database(app, team):
    account = team["account"]
    config_cache.configure(0)  # the next read asks Redis, as one does once per interval
    _by_key(account)
    queues.configure(f"redis://127.0.0.1:{free_port()}")
    try:
        get_db().accounts.update_one({"_id": account["_id"]}, {"$set": {"name": "Written while Redis is down"}})
        assert _by_key(account)["name"] == "Written while Redis is down"
        accounts.update(account["_id"], {"name": "Saved by an admin"})  # the change cannot be announced: saved anyway
        assert _by_key(account)["name"] == "Saved by an admin"
    finally:
        queues.configure(app.config["REDIS_URL"])
        config_cache.configure(app.config["PARLEY_CONFIG_CACHE_MS"])
