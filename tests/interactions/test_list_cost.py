"""The list stays cheap as data grows: a constant number of database calls per page, whatever
the number of rows, and every filter combination the page can send served by a declared index."""

import contextlib
import itertools
from datetime import timedelta

import mongomock

from app.services import clock
from app.services.conversations import lifecycle
from app.services.reading import interaction_list, interaction_queries, interaction_view
from tests.interactions.support import says, taken
from tests.support.query_shapes import (
    branches,
    embedded_only,
    leading_fields,
    recording,
    uncovered,
)
from tests.support.round_trips import counting


@contextlib.contextmanager
def recording_aggregations(shapes):
    """Add the $match of each aggregation to the shapes `recording` collects (it records finds
    only), dropping the unfiltered find the embedded engine runs inside its aggregate."""
    original = mongomock.collection.Collection.aggregate

    def recorder(self, pipeline, *args, **kwargs):
        match = next((stage["$match"] for stage in pipeline if "$match" in stage), {})
        before = len(shapes)
        result = original(self, pipeline, *args, **kwargs)
        del shapes[before:]
        shapes.append((self.name, branches(match), []))
        return result

    mongomock.collection.Collection.aggregate = recorder
    try:
        yield
    finally:
        mongomock.collection.Collection.aggregate = original


def _calls_for_page(client, query=""):
    with counting() as trips:
        assert client.get("/interactions/?" + query).status_code == 200
    return trips.by_collection()


@embedded_only
def test_database_calls_per_page_do_not_grow_with_rows(app, admin_client, agent_client, team):
    from tests.support.builders import sign_in

    for n in range(3):
        says(team["account"], f"+4477009001{n:02d}", f"hello {n}")
    alice = app.test_client()
    sign_in(alice, team["alice"]["email"])
    small_admin, small_agent = _calls_for_page(admin_client), _calls_for_page(alice)
    for n in range(3, 40):
        says(team["account"], f"+4477009001{n:02d}", f"hello {n}")
    large_admin, large_agent = _calls_for_page(admin_client, "per_page=50"), _calls_for_page(alice, "per_page=50")
    assert small_admin == large_admin and small_agent == large_agent
    # The rows: one find and one count (the engine's query), one aggregation for the per-contact
    # badges. Everything else is per page, not per row (filter choices, the signed-in user).
    assert large_admin["interactions"] == 3
    assert large_agent["interactions"] == 3


@embedded_only
def test_every_filter_combination_of_the_page_is_index_backed(app, team):
    account = team["account"]
    closed = taken(account, team["alice"], "+447700900201", "the invoice", name="Anna")
    lifecycle.close(team["alice"], closed["_id"], tags=["billing"])
    lifecycle.reopen(team["alice"], closed["_id"])
    says(account, "+447700900202", "hello")
    today = clock.now().date().isoformat()
    values = {
        "status": ["queued", "open", "closed", "reopened"],
        "account_id": [str(account["_id"])],
        "first_agent_id": [str(team["alice"]["_id"])],
        "read": ["true", "false"],
        "start_from": [today],
        "start_to": [(clock.now() + timedelta(days=1)).date().isoformat()],
        "q": ["invoice", "+447700900201"],
        "window_closing_within": ["12"],
        "tags": [["billing"]],
    }
    sorts = [key for key, _ in interaction_list.SORT_CHOICES]
    collections = {"interactions", "messages", "contacts", "accounts", "users", "tags", "dispositions", "queues"}
    with recording(collections) as recorded, recording_aggregations(recorded):
        for actor in (team["admin"], team["alice"]):
            # An admin's unfiltered page is sorted by the cursor, which the recorder cannot see:
            # the sort keys are checked to lead indexes below instead.
            for size in range(0 if actor is team["alice"] else 1, 3):
                for names in itertools.combinations(values, size):
                    for chosen in itertools.product(*(values[name] for name in names)):
                        for sort in sorts:
                            args = {"sort": sort, **dict(zip(names, chosen, strict=True))}
                            args.setdefault("tags", [])
                            interaction_list.page(actor, args)
            interaction_list.filter_options(actor)
            interaction_view.conversation(actor, closed["_id"])
    assert set(interaction_queries.SORTS.values()) <= leading_fields("interactions")
    assert len(recorded) > 1000
    # The page's filters combine freely: each sort has its index (with the `_id` tie-breaker), and
    # each equality filter alone with the default sort has its own; other combinations read an index
    # of the sort in order (a range filter before the sort would end in an in-memory sort).
    assert uncovered(recorded, ordered_scans=True) == [], uncovered(recorded, ordered_scans=True)
    alone = [
        (fields, sort)
        for collection, fields, sort in uncovered(recorded)
        if collection == "interactions" and len(fields) == 1 and sort == ("created_at", "_id")
    ]
    # Only the range filter unread > 0 is left to an ordered scan (a search gathers its ids first).
    assert sorted(alone) == [(("unread",), ("created_at", "_id"))], alone
