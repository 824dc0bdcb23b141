"""The list's search box: words found on the contact and on any message of the conversation,
every word required, common words narrowed by the others, and an honest refusal when a search
is nothing but common words."""

import pytest

from app.db import get_db
from app.services.conversations import lifecycle, outbound
from app.services.reading import interaction_search
from app.services.reading.interaction_queries import BadFilter, list_interactions
from tests.interactions.support import says, taken


def found(actor, q):
    rows, meta = list_interactions(actor, {"q": q})
    assert meta["total"] == len(rows)
    return {row["_id"] for row in rows}


def test_each_word_may_come_from_the_contact_or_from_any_message(team):
    account = team["account"]
    maria = taken(account, team["alice"], "+447700900301", "my parcel is late", name="Maria Rossi")
    says(account, "+447700900301", "and the invoice too")
    outbound.compose(team["alice"], maria["_id"], {"text": "Refund approved"})
    john = says(account, "+447700900302", "invoice question", name="John Smith")
    admin = team["admin"]
    assert found(admin, "maria invoice") == {maria["_id"]}, "the name on the contact, the word in a later message"
    assert found(admin, "parc refund") == {maria["_id"]}, "prefixes, a customer's word and an agent's"
    assert found(admin, "invoice") == {maria["_id"], john["_id"]}
    assert found(admin, "447700900302") == {john["_id"]}, "the number"
    assert found(admin, "invoice zebra") == set(), "every word is required"


def test_notes_are_not_searched_and_agents_find_only_what_they_may_see(team):
    account = team["account"]
    mine = taken(account, team["alice"], "+447700900311", "hello")
    lifecycle.add_note(team["alice"], mine["_id"], "zebra crossing")
    says(team["other_account"], "+447700900312", "hello from elsewhere")
    assert found(team["admin"], "zebra") == set()
    assert found(team["alice"], "hello") == {mine["_id"]}, "the other queue's conversation stays hidden"


def test_interactions_stored_with_their_words_on_them_are_still_found(team):
    """Before messages kept their own words, an interaction held the whole conversation's."""
    older = says(team["account"], "+447700900321", "hello")
    get_db().interactions.update_one({"_id": older["_id"]}, {"$addToSet": {"search_terms": "warranty"}})
    assert found(team["admin"], "warranty") == {older["_id"]}


def test_a_common_word_is_narrowed_by_a_rarer_one_and_refused_alone(team, monkeypatch):
    account = team["account"]
    rows = [says(account, f"+4477009004{n:02d}", f"thanks order{n}") for n in range(6)]
    monkeypatch.setattr(interaction_search, "MAX_MATCHES", 3)
    assert found(team["admin"], "thanks order4") == {rows[4]["_id"]}
    with pytest.raises(BadFilter) as refused:
        list_interactions(team["admin"], {"q": "thanks"})
    assert "'thanks' appears in too many conversations" in refused.value.fields["q"]
    assert found(team["admin"], "order3 thanks") == {rows[3]["_id"]}, "whichever comes first"


def test_the_page_and_the_api_show_a_refused_search_next_to_the_box(admin_client, team, monkeypatch):
    for n in range(4):
        says(team["account"], f"+4477009005{n:02d}", "thanks a lot")
    monkeypatch.setattr(interaction_search, "MAX_MATCHES", 2)
    page = admin_client.get("/interactions/?q=thanks")
    assert page.status_code == 400 and 'data-testid="error-q"' in page.get_data(as_text=True)
    assert "appears in too many conversations" in page.get_data(as_text=True)
    api = admin_client.get("/api/v1/interactions?q=thanks")
    assert api.status_code == 400 and "too many conversations" in api.get_json()["error"]["fields"]["q"]
