"""CSV import reports every rejected row; export writes what import reads."""

import pytest

from app.services.contacts import contact_lists, contacts_csv
from app.services.errors import ServiceError


def test_import_reports_rejected_rows_and_export_round_trips(app):
    lst = contact_lists.create_list({"name": "Imported"})
    csv_text = (
        "First_Name,last_name,phone,mobile,email,company,tags,notes\n"
        "Ann,Lee,+1 202 555 0143,,ann@example.com,Acme,vip;new,\"likes, commas\"\n"
        "Bob,Bad,12,,,,,\n"
        "Cy,Dup,,+12025550143,,,,\n"
        "Dee,Formula,+44 7700 900123,,,=HYPERLINK(1),,\n"
        "Too,Many,+33612345678,,,,,,extra\n"
    )
    report = contacts_csv.import_csv(lst["_id"], csv_text.encode("utf-8-sig"))
    assert report["created"] == 2
    rejected = {r["line"]: r for r in report["rejected"]}
    assert set(rejected) == {3, 4, 6}
    assert "phone" in rejected[3]["fields"]
    assert rejected[4]["message"].startswith("A contact with this phone number")
    assert rejected[4]["values"]["first_name"] == "Cy"

    ann = contact_lists.list_contacts(search="lee", list_id=lst["_id"]).items[0]
    assert ann["mobile"] == "+12025550143"
    assert ann["tags"] == ["vip", "new"]

    exported = contacts_csv.export_csv(lst["_id"])
    lines = exported.splitlines()
    assert lines[0] == "first_name,last_name,phone,mobile,email,company,tags,notes"
    assert "'=HYPERLINK(1)" in exported
    assert '+12025550143,+12025550143,ann@example.com,Acme,vip;new,"likes, commas"' in exported


def test_import_refuses_non_utf8_and_missing_header(app):
    lst = contact_lists.create_list({"name": "X"})
    with pytest.raises(ServiceError):
        contacts_csv.import_csv(lst["_id"], "name\nJosé\n".encode("latin-1"))
    with pytest.raises(ServiceError):
        contacts_csv.import_csv(lst["_id"], b"name,company\nA,B\n")
