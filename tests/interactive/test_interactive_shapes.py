"""WhatsApp's limits on interactive messages, as the shapes and the composer's service check them."""

import pytest

from app.domain import interactive
from app.services.conversations import outbound
from app.services.errors import ValidationFailed


def buttons(*titles, body="Pick one"):
    return {"type": "button", "body": body, "buttons": [{"id": f"b{i}", "title": t} for i, t in enumerate(titles)]}


def a_list(rows_per_section=(2,), **row):
    sections = [
        {"title": f"Section {s}", "rows": [{"id": f"r{s}-{r}", "title": f"Row {r}", **row} for r in range(count)]}
        for s, count in enumerate(rows_per_section)
    ]
    return {"type": "list", "body": "Choose", "list": {"button": "Options", "sections": sections}}


def refusal(content):
    """{field: sentence} of what the composer's checks refuse in `content` ({} when it may go)."""
    try:
        read = outbound.read_message({"kind": "interactive", "interactive": content})
    except ValidationFailed as exc:
        return exc.fields
    return interactive.problems(read.interactive)


def test_three_buttons_of_twenty_characters_pass():
    assert refusal(buttons("Yes", "No", "x" * 20)) == {}


@pytest.mark.parametrize(
    ("content", "field", "sentence"),
    [
        (buttons("a", "b", "c", "d"), "interactive.buttons", "At most 3 buttons."),
        (buttons("x" * 21), "interactive.buttons.0.title", "At most 20 characters."),
        (buttons(" "), "interactive.buttons.0.title", "Required."),
        (buttons("Yes", body="x" * 1025), "interactive.body", "At most 1024 characters."),
        (buttons("Yes", body=""), "interactive.body", "Required."),
        ({**buttons("Yes"), "header": "h" * 61}, "interactive.header", "At most 60 characters."),
        ({**buttons("Yes"), "footer": "f" * 61}, "interactive.footer", "At most 60 characters."),
        (a_list(title="x" * 25), "interactive.list.sections.0.rows.0.title", "At most 24 characters."),
        (a_list(description="d" * 73), "interactive.list.sections.0.rows.0.description", "At most 72 characters."),
    ],
)
def test_a_limit_past_whatsapps_is_refused_next_to_its_field(content, field, sentence):
    assert refusal(content)[field] == sentence


def test_button_ids_are_at_most_256_characters_and_distinct():
    content = buttons("Yes", "No")
    content["buttons"][0]["id"] = "i" * 257
    assert refusal(content) == {"interactive.buttons.0.id": "At most 256 characters."}
    content["buttons"][0]["id"] = content["buttons"][1]["id"]
    assert refusal(content) == {"interactive.buttons": "Each button needs its own id."}


def test_a_list_has_at_most_ten_rows_in_all_its_sections():
    assert refusal(a_list((5, 5))) == {}
    assert refusal(a_list((11,))) == {"interactive.list.sections.0.rows": "At most 10 rows."}
    assert refusal(a_list((6, 5))) == {"interactive.list.sections": "At most 10 rows in all sections together."}


def test_section_and_list_button_titles_have_their_limits():
    content = a_list((1, 1))
    content["list"]["sections"][1]["title"] = "s" * 25
    content["list"]["button"] = "b" * 21
    found = refusal(content)
    assert found["interactive.list.sections.1.title"] == "At most 24 characters."
    assert found["interactive.list.button"] == "At most 20 characters."


def test_several_sections_need_a_title_each():
    content = a_list((1, 1))
    content["list"]["sections"][0]["title"] = ""
    assert refusal(content) == {"interactive.list.sections.0.title": "Several sections need a title each."}


@pytest.mark.parametrize("url", ["http://example.com", "ftp://example.com", "javascript:alert(1)", "https://"])
def test_a_call_to_action_needs_an_https_link(url):
    content = {"type": "cta_url", "body": "See", "cta": {"display_text": "Open", "url": url}}
    assert refusal(content) == {"interactive.cta.url": "Use an https:// link."}


def test_a_call_to_action_text_is_at_most_twenty_characters():
    content = {"type": "cta_url", "body": "See", "cta": {"display_text": "x" * 21, "url": "https://example.com"}}
    assert refusal(content) == {"interactive.cta.display_text": "At most 20 characters."}


def test_each_type_needs_its_own_part():
    assert refusal({"type": "button", "body": "b"}) == {"interactive.buttons": "Add at least one button."}
    assert refusal({"type": "list", "body": "b"}) == {"interactive.list": "Add the list's button and rows."}
    assert refusal({"type": "cta_url", "body": "b"}) == {"interactive.cta": "Add the button's text and link."}


def test_the_stored_form_keeps_only_what_its_type_uses():
    read = outbound.read_message({"kind": "interactive", "interactive": {**buttons("Yes"), "cta": None, "header": " Hi "}})
    assert interactive.stored(read.interactive) == {
        "type": "button", "header": "Hi", "body": "Pick one", "footer": "", "buttons": [{"id": "b0", "title": "Yes"}],
    }
