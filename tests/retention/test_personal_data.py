"""A person's data on request (GDPR): the export as a ZIP and the erasure, from the contact's page,
the REST API and the command line; admins only, and an erasure leaves no trace of the person."""

import io
import json
import zipfile

import pytest
from bson import json_util

from app import queues
from app.db import get_db
from app.services.contacts import contact_lists
from app.services.conversations import inbound, lifecycle, routing
from app.services.retention import erasure, export
from tests.engine.test_business_scoped_ids import BSUID, from_customer
from tests.engine.test_meta_flow import meta_account
from tests.interactions.support import attach_image
from tests.support.builders import csrf_token, make_user
from tests.support.engine import make_queue
from tests.support.query_shapes import embedded_only, recording, uncovered

NUMBER = "+15550001111"
OTHER_NUMBER, OTHER_BSUID = "+15550002222", "US.99999999999999999999"
IMAGE = b"\x89PNG the customer's receipt"


@pytest.fixture
def person(app, fake_provider):
    """Maria, known by number and BSUID: a closed conversation (a note, an image), one open with Alice,
    a second contact with her number in another list, a campaign recipient; and another customer."""
    alice = make_user("agent", name="Alice")
    account = meta_account(fake_provider, make_queue([alice["_id"]]))
    inbound.ingest(account, [from_customer(1, sender=NUMBER)])
    first = get_db().interactions.find_one({"contact.phone": NUMBER, "is_open": True})
    routing.accept(alice, first["_id"])
    lifecycle.add_note(alice, first["_id"], "Asked for a refund")
    file_id = attach_image(first, IMAGE, "receipt.png")
    lifecycle.close(alice, first["_id"])
    inbound.ingest(account, [from_customer(2, sender=NUMBER)])
    second = routing.accept(alice, get_db().interactions.find_one({"contact.phone": NUMBER, "is_open": True})["_id"])
    vip = contact_lists.create_list({"name": "VIP"})
    contact_lists.create_contact({"list_id": str(vip["_id"]), "phone": NUMBER, "first_name": "Maria", "company": "Acme"})
    campaign_id = get_db().campaigns.insert_one({"name": "Spring"}).inserted_id
    get_db().simulator_numbers.insert_one({"phone": NUMBER})  # as if the simulator had given her number out
    get_db().campaign_recipients.insert_one({"campaign_id": campaign_id, "phone": NUMBER, "params": {"body": ["Maria"]}})
    inbound.ingest(account, [from_customer(3, sender=OTHER_NUMBER, user_id=OTHER_BSUID, name="Olga", username=None)])
    contact = get_db().contacts.find_one({"whatsapp_user_ids": {"$exists": True}, "phone": NUMBER})
    return {"contact_id": str(contact["_id"]), "interactions": [first["_id"], second["_id"]], "file_id": file_id, "alice": alice}


def opened(data):
    archive = zipfile.ZipFile(io.BytesIO(data))
    return json.loads(archive.read("data.json")), archive


def check_export(data):
    record, archive = opened(data)
    assert len(record["contacts"]) == 2 and sorted(c.get("company") or "" for c in record["contacts"]) == ["", "Acme"]
    assert record["numbers"] == [NUMBER] and record["whatsapp_user_ids"] == [BSUID]
    assert len(record["interactions"]) == 2
    texts = [m.get("text") for i in record["interactions"] for m in i["messages"]]
    assert "Message 1" in texts and "Message 2" in texts and "Asked for a refund" in texts
    [attachment] = record["attachments"]
    assert archive.read(attachment["path"]) == IMAGE
    assert OTHER_NUMBER not in json.dumps(record)


def test_an_admin_downloads_the_persons_data_from_the_contacts_page(person, admin_client):
    page = admin_client.get(f"/contacts/{person['contact_id']}/edit").get_data(as_text=True)
    assert f"/admin/contact-lists/contacts/{person['contact_id']}/export.zip" in page
    answer = admin_client.get(f"/admin/contact-lists/contacts/{person['contact_id']}/export.zip")
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    check_export(answer.data)


def test_the_api_and_the_command_line_export_the_same(person, api, runner, tmp_path):
    answer = api.get(f"/contacts/{person['contact_id']}/export")
    assert answer.status_code == 200
    check_export(answer.data)
    result = runner.invoke(args=["export-contact", person["contact_id"], "--output", str(tmp_path / "maria.zip")])
    assert result.exit_code == 0, result.output
    check_export((tmp_path / "maria.zip").read_bytes())


def traces(person):
    """Where the person is still found: their number or BSUID anywhere in MongoDB or Redis; the ids of their
    contacts, interactions and attachment anywhere but in the audit line (which names the contacts by id)
    and RQ's jobs (a job queued before the erasure carries an interaction's id, and finds nothing)."""
    personal = (NUMBER[1:], BSUID)
    ids = (person["contact_id"], *(str(i) for i in person["interactions"]), person["file_id"])
    found, db = [], get_db()
    for name in db.list_collection_names():
        needles = personal if name == "erasures" else personal + ids
        for doc in db[name].find():
            if any(needle in json_util.dumps(doc) for needle in needles):
                found.append((name, doc["_id"]))
    redis = queues.get_redis()
    for key in redis.scan_iter():
        kind = redis.type(key)
        value = {
            b"string": redis.get,
            b"zset": lambda k: redis.zrange(k, 0, -1),
            b"list": lambda k: redis.lrange(k, 0, -1),
            b"hash": redis.hgetall,
            b"set": redis.smembers,
        }.get(kind, lambda k: "")(key)
        needles = personal if key.startswith(b"rq:") else personal + ids
        if any(needle in f"{key!r} {value!r}" for needle in needles):
            found.append(("redis", key))
    return found


def test_an_admin_erases_the_person_after_a_confirmation_and_no_trace_is_left(person, admin_client, admin):
    assert traces(person)  # the search finds them while they are there
    url = f"/admin/contact-lists/contacts/{person['contact_id']}/erase"
    page = admin_client.get(url).get_data(as_text=True)
    assert "1 conversation(s) still open will be closed first" in page and "2 contact(s)" in page
    assert admin_client.post(url).status_code == 400  # no CSRF token: nothing happens
    assert get_db().contacts.count_documents({"phone": NUMBER}) == 2

    answer = admin_client.post(url, data={"csrf_token": csrf_token(admin_client, url)})

    assert answer.status_code == 302
    assert traces(person) == []
    assert get_db().contacts.find_one({"phone": OTHER_NUMBER}) and get_db().interactions.find_one({"contact.phone": OTHER_NUMBER})
    [audit] = get_db().erasures.find()
    assert audit["by"] == admin["_id"] and audit["counts"]["interactions"] == 2 and audit["counts"]["media_files"] == 1
    assert routing.capacity.open_count(person["alice"]["_id"]) == 0  # Alice's open conversation closed and gone


def test_the_api_erases_and_answers_the_counts(person, api):
    answer = api.post(f"/contacts/{person['contact_id']}/erase")
    assert answer.status_code == 200
    assert answer.json == {
        "contacts": 2,
        "interactions": 2,
        "messages": answer.json["messages"],
        "media_files": 1,
        "campaign_recipients": 1,
    }
    assert traces(person) == []
    assert api.post(f"/contacts/{person['contact_id']}/erase").status_code == 404


def test_the_command_line_asks_before_erasing(person, runner):
    refused = runner.invoke(args=["erase-contact", person["contact_id"]], input="n\n")
    assert refused.exit_code != 0 and get_db().contacts.count_documents({"phone": NUMBER}) == 2
    result = runner.invoke(args=["erase-contact", person["contact_id"], "--yes"])
    assert result.exit_code == 0 and "2 interactions" in result.output, result.output
    assert traces(person) == []
    assert get_db().erasures.find_one()["by"] == "command line"


def test_agents_can_neither_export_nor_erase(person, agent_client, agent_api):
    base = f"/admin/contact-lists/contacts/{person['contact_id']}"
    assert agent_client.get(f"{base}/export.zip").status_code == 403
    assert agent_client.get(f"{base}/erase").status_code == 403
    token = csrf_token(agent_client, f"/contacts/{person['contact_id']}/edit")
    assert agent_client.post(f"{base}/erase", data={"csrf_token": token}).status_code == 403
    assert agent_api.get(f"/contacts/{person['contact_id']}/export").status_code == 403
    assert agent_api.post(f"/contacts/{person['contact_id']}/erase").status_code == 403
    assert "Export data" not in agent_client.get(f"/contacts/{person['contact_id']}/edit").get_data(as_text=True)
    assert get_db().contacts.count_documents({"phone": NUMBER}) == 2


def test_an_unknown_contact_is_a_404(app, admin_client, api):
    assert admin_client.get("/admin/contact-lists/contacts/nope/export.zip").status_code == 404
    assert api.post("/contacts/0123456789abcdef01234567/erase").status_code == 404


@embedded_only
def test_export_and_erasure_query_only_through_declared_indexes(person):
    collections = {
        "contacts",
        "contact_lists",
        "interactions",
        "messages",
        "accounts",
        "campaigns",
        "campaign_recipients",
        "provider_errors",
        "simulator_numbers",
    }
    with recording(collections) as shapes:
        export.build(person["contact_id"])
        erasure.erase(person["contact_id"], "test")
    assert uncovered(shapes) == []


def test_the_erasures_audit_line_reaches_the_log(app, person, caplog):
    import logging

    assert logging.getLogger("app.services.retention.erasure").isEnabledFor(logging.INFO)
    with caplog.at_level(logging.INFO, logger="app.services.retention"):
        erasure.erase(person["contact_id"], by="command line")
    [line] = [r.getMessage() for r in caplog.records if r.name == "app.services.retention.erasure"]
    assert line.startswith(f"erasure by command line of contacts ['{person['contact_id']}'") and NUMBER not in line


def test_an_opt_out_is_exported_and_kept_after_the_erasure_without_the_words(person):
    from app.services.campaigns import opt_out

    account_id = get_db().interactions.find_one({"contact.phone": NUMBER})["account_id"]
    assert opt_out.apply(account_id, NUMBER, "STOP") == "out"
    record, _ = opened(export.build(person["contact_id"])[1])
    assert [(o["id"], o["word"]) for o in record["opt_outs"]] == [(NUMBER, "STOP")]

    erasure.erase(person["contact_id"], by="command line")
    [kept] = get_db().opt_outs.find()
    assert kept["_id"] == NUMBER and "word" not in kept and kept["account_id"] == account_id
    assert opt_out.opted_out([NUMBER]) == {NUMBER}, "no campaign reaches them again"


def test_messages_still_in_the_inbox_are_stored_then_erased_or_the_erasure_waits(app, person, api, admin_client, monkeypatch):
    from app import jobs as job_registry
    from app.services import clock
    from app.services.channel import inbox
    from tests.support.jobs import run_inbound

    account = get_db().accounts.find_one({})
    late = from_customer(9, sender=NUMBER)  # accepted by a webhook, not applied yet
    inbox.record(account["_id"], [late], clock.now())
    monkeypatch.setattr(erasure, "INBOX_WAIT_SECONDS", 0.3)

    refused = api.post(f"/contacts/{person['contact_id']}/erase")
    assert refused.status_code == 409
    message = refused.json["error"]["message"]
    assert message == "Messages from this person are still being stored; try the erasure again in a minute."
    url = f"/admin/contact-lists/contacts/{person['contact_id']}/erase"
    page = admin_client.post(url, data={"csrf_token": csrf_token(admin_client, url)}, follow_redirects=True)
    assert "still being stored" in page.get_data(as_text=True)
    assert get_db().contacts.count_documents({"phone": NUMBER}) == 2, "nothing erased"

    job_registry.enqueue(job_registry.DRAIN_INBOX)
    assert run_inbound(app)["stored"] == 1  # the workers apply it
    assert api.post(f"/contacts/{person['contact_id']}/erase").status_code == 200
    assert traces(person) == []
