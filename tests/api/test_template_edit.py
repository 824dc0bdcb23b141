"""Editing a template through the API: a new footer and added quick-reply buttons are stored."""

from tests.api.test_collections import account, make


def parts(doc):
    return {c["type"]: c for c in doc["components"]}


def test_the_api_saves_an_edited_footer_and_added_quick_replies(api):
    acc = account(api)
    created = make(
        api,
        "/templates",
        {
            "account_id": acc["id"],
            "name": "order_ready",
            "language": "en",
            "components": [{"type": "BODY", "text": "Hi {{1}}"}, {"type": "FOOTER", "text": "Old"}],
        },
    )
    components = [
        {"type": "BODY", "text": "Hi {{1}}"},
        {"type": "FOOTER", "text": "New footer"},
        {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Yes"}, {"type": "QUICK_REPLY", "text": "No"}]},
    ]
    response = api.patch(f"/templates/{created['id']}", {"components": components})
    assert response.status_code == 200, response.get_json()
    read = api.get(f"/templates/{created['id']}").get_json()
    assert parts(read)["FOOTER"]["text"] == "New footer"
    assert [b["text"] for b in parts(read)["BUTTONS"]["buttons"]] == ["Yes", "No"]
    assert read["account_id"] == acc["id"]
