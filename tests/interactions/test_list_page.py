"""The interactions list page: columns, badges, filters in the URL, bad filters, visibility."""

import re
from datetime import timedelta

from app.services import clock
from app.services.conversations import lifecycle, start_conversation
from tests.interactions.support import says, taken
from tests.support.builders import sign_in


def client_of(app, user):
    client = app.test_client()
    sign_in(client, user["email"])
    return client


def row_ids(html):
    return re.findall(r'data-testid="row" data-id="([0-9a-f]{24})"', html)


def test_rows_show_contact_badge_status_arrow_and_purple_reopen(app, team):
    account = team["account"]
    first = taken(account, team["alice"], "+447700900001", "my order is late", name="Maria Rossi")
    lifecycle.close(team["alice"], first["_id"], "Resolved")
    says(account, "+447700900001", "hello again")  # a new, unmanaged interaction of the same contact
    reopened = taken(account, team["bob"], "+447700900002", "refund please", name="Joao Silva")
    lifecycle.close(team["bob"], reopened["_id"])
    lifecycle.reopen(team["bob"], reopened["_id"], tags=["vip"])
    html = client_of(app, team["admin"]).get("/interactions/").get_data(as_text=True)
    assert len(row_ids(html)) == 3
    assert "Maria Rossi" in html and "Joao Silva" in html
    assert html.count('data-testid="new-count"') == 2  # both of Maria's rows show her one waiting interaction
    assert 'data-testid="reopened-at"' in html and "status-reopened" in html
    assert 'data-direction="in"' in html
    assert '<span class="chip">vip</span>' in html


def test_agents_see_only_their_queues(app, team):
    says(team["account"], "+447700900003", "sales question")
    says(team["other_account"], "+447700900004", "support question")
    alice_rows = row_ids(client_of(app, team["alice"]).get("/interactions/").get_data(as_text=True))
    carol_rows = row_ids(client_of(app, team["carol"]).get("/interactions/").get_data(as_text=True))
    assert len(alice_rows) == 1 and len(carol_rows) == 1 and alice_rows != carol_rows


def test_filters_alone_and_combined_from_the_url(app, team):
    account, other = team["account"], team["other_account"]
    a = taken(account, team["alice"], "+447700900011", "the invoice is wrong", name="Anna")
    lifecycle.close(team["alice"], a["_id"], tags=["billing"])
    b = taken(account, team["bob"], "+447700900012", "where is my parcel", name="Bruno")
    c = says(other, "+447700900013", "parcel damaged", name="Chiara")
    clock.advance(timedelta(days=2))
    d = says(account, "+447700900014", "invoice copy please", name="Dario")
    client = client_of(app, team["admin"])

    def ids(query):
        response = client.get("/interactions/?" + query)
        assert response.status_code == 200, query
        return set(row_ids(response.get_data(as_text=True)))

    all_ids = ids("")
    assert len(all_ids) == 4
    assert ids("status=closed") == {str(a["_id"])}
    assert ids("status=queued") == {str(c["_id"]), str(d["_id"])}
    assert ids(f"account_id={other['_id']}") == {str(c["_id"])}
    assert ids(f"first_agent_id={team['bob']['_id']}") == {str(b["_id"])}
    assert ids("tags=billing") == {str(a["_id"])}
    assert ids("read=false") == {str(c["_id"]), str(d["_id"])}
    assert ids("read=true") == all_ids - {str(c["_id"]), str(d["_id"])}
    today = clock.now().date().isoformat()
    assert ids(f"start_from={today}") == {str(d["_id"])}
    assert ids(f"start_to={(clock.now() - timedelta(days=1)).date().isoformat()}") == all_ids - {str(d["_id"])}
    assert ids("q=invoice") == {str(a["_id"]), str(d["_id"])}
    assert ids("q=%2B447700900013") == {str(c["_id"])}
    assert ids("window_closing_within=24") == {str(d["_id"])}
    assert ids(f"q=invoice&status=queued&account_id={account['_id']}&start_from={today}") == {str(d["_id"])}
    assert ids("q=invoice&status=closed&tags=billing&read=true") == {str(a["_id"])}


def test_sort_by_start_and_last_message(app, team):
    first = says(team["account"], "+447700900021", "first")
    clock.advance(timedelta(minutes=5))
    second = says(team["account"], "+447700900022", "second")
    clock.advance(timedelta(minutes=5))
    says(team["account"], "+447700900021", "first again")
    client = client_of(app, team["admin"])

    def order(sort):
        return row_ids(client.get(f"/interactions/?sort={sort}").get_data(as_text=True))

    one, two = str(first["_id"]), str(second["_id"])
    assert order("start") == [one, two] and order("-start") == [two, one]
    assert order("-last_message") == [one, two] and order("last_message") == [two, one]


def test_sort_by_window_puts_a_conversation_without_a_window_where_a_server_puts_null(app, team):
    """An agent-started conversation has no customer window yet (null); a server sorts null before
    every date, so it comes first closing-soonest and last latest-first, on both engines."""
    customer = says(team["account"], "+447700900041", "hi")
    clock.advance(timedelta(minutes=5))
    started, _, _ = start_conversation.start(
        team["admin"], {"account_id": str(team["account"]["_id"]), "phone": "+447700900042", "text": "Hello from us"}
    )
    assert started["window_expires_at"] is None
    client = client_of(app, team["admin"])

    def order(sort):
        return row_ids(client.get(f"/interactions/?sort={sort}").get_data(as_text=True))

    ours, theirs = str(started["_id"]), str(customer["_id"])
    assert order("window") == [ours, theirs] and order("-window") == [theirs, ours]


def test_bad_filters_answer_400_with_the_reason_next_to_the_field(app, team):
    says(team["account"], "+447700900031", "hi")
    client = client_of(app, team["admin"])
    bad = [("status=archived", "status"), ("start_from=24/11/2026", "start_from"), ("start_to=yesterday", "start_to"),
           ("page=99999999", "page"), ("page=-1", "page"), ("per_page=5000", "per_page"), ("read=maybe", "read"),
           ("account_id=nope", "account_id"), ("first_agent_id=123", "first_agent_id"), ("sort=name", "sort"),
           ("window_closing_within=48", "window_closing_within")]
    for query, field in bad:
        response = client.get("/interactions/?" + query)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, query
        assert f'data-testid="error-{field}"' in html, query
        assert not row_ids(html)
        api = client.get("/api/v1/interactions?" + query)
        assert api.status_code == 400 and field in api.get_json()["error"]["fields"], query
    beyond = client.get("/interactions/?page=900")
    assert beyond.status_code == 200 and not row_ids(beyond.get_data(as_text=True))


def test_read_toggles_when_an_agent_views_the_conversation(app, team):
    interaction = says(team["account"], "+447700900041", "are you there?")
    client = client_of(app, team["alice"])
    assert row_ids(client.get("/interactions/?read=false").get_data(as_text=True)) == [str(interaction["_id"])]
    show = client.get(f"/interactions/{interaction['_id']}").get_data(as_text=True)
    assert 'data-mark-read="true"' in show and "are you there?" in show
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', show).group(1)
    assert client.post(f"/api/v1/interactions/{interaction['_id']}/read", headers={"X-CSRFToken": token}).status_code == 200
    assert row_ids(client.get("/interactions/?read=false").get_data(as_text=True)) == []
    assert row_ids(client.get("/interactions/?read=true").get_data(as_text=True)) == [str(interaction["_id"])]
    admin_show = client_of(app, team["admin"]).get(f"/interactions/{interaction['_id']}").get_data(as_text=True)
    assert 'data-mark-read="false"' in admin_show
