"""Walks every route with anonymous, agent and admin clients, so no route is left open by mistake.

Every blueprint must be classified below: a new blueprint fails this test until someone
decides who may reach it. So must every route that names a record an agent may reach, and every
Socket.IO event: those are walked with real records by an agent of the record's queue, an agent
of another queue, and an admin.
"""

import pytest
import socketio as socketio_client

from app.db import get_db
from app.extensions import socketio
from app.services.attachments import media_store
from app.services.conversations import inbound, routing
from app.services.people import api_tokens
from app.web.access import PUBLIC_ENDPOINTS, SELF_AUTHENTICATED_BLUEPRINTS
from tests.engine.helpers import make_template
from tests.support.builders import make_user, sign_in
from tests.support.engine import customer_says, live_events, make_queue, make_sandbox_account
from tests.support.live_server import LiveServer
from tests.support.sockets import RecordingClient, connect_as

ADMIN_BLUEPRINTS = {
    "admin",
    "accounts",
    "queues",
    "pause_reasons",
    "agents",
    "templates",
    "canned_answers",
    "dispositions",
    "tags",
    "contact_lists",
    "dashboard",
    "campaigns",
}
SIGNED_IN_BLUEPRINTS = {"main", "auth", "desktop", "interactions", "contacts", "profile", "api_docs", "media", "simulator"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
READINESS = {"operations.readyz"}
DUMMY_ID = "0123456789abcdef01234567"


def build_path(rule):
    values = {arg: ("x.png" if arg in ("filename", "path") else DUMMY_ID) for arg in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def routes(app):
    # Signing out last, or it would sign the walking client out halfway.
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint == "auth.logout"):
        for method in sorted(set(rule.methods) & set(METHODS)):
            yield rule, method


@pytest.fixture
def walk(app, admin_client, agent_client):
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF is tested on its own; here only access is
    clients = {"anonymous": app.test_client(), "agent": agent_client, "admin": admin_client}

    def call(who, rule, method):
        return clients[who].open(build_path(rule), method=method, headers={"Accept": "text/html"})

    return call


def test_every_blueprint_is_classified(app):
    known = ADMIN_BLUEPRINTS | SIGNED_IN_BLUEPRINTS | SELF_AUTHENTICATED_BLUEPRINTS
    unclassified = {name for name in app.blueprints if name not in known}
    assert not unclassified, f"decide who may reach these blueprints: {unclassified}"


def answered(response, rule):
    """No server error: only /readyz answers 503 by design (no worker runs during the walk)."""
    return response.status_code < 500 or (rule.endpoint in READINESS and response.status_code == 503)


def test_anonymous_reaches_only_public_routes(app, walk):
    for rule, method in routes(app):
        response = walk("anonymous", rule, method)
        where = f"{method} {rule.rule}"
        assert answered(response, rule), where
        blueprint = rule.endpoint.rpartition(".")[0]
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        if blueprint in SELF_AUTHENTICATED_BLUEPRINTS:
            assert response.status_code in (400, 401, 403, 404, 405, 415), where
        else:
            assert response.status_code == 401 or (
                response.status_code == 302 and response.headers["Location"].startswith("/login")
            ), f"{where} answered {response.status_code} to an anonymous client"


def test_agents_get_403_on_admin_routes(app, walk):
    for rule, method in routes(app):
        blueprint = rule.endpoint.rpartition(".")[0]
        response = walk("agent", rule, method)
        where = f"{method} {rule.rule}"
        assert answered(response, rule), where
        if blueprint in ADMIN_BLUEPRINTS:
            assert response.status_code == 403, f"{where} answered {response.status_code} to an agent"
        elif blueprint in SIGNED_IN_BLUEPRINTS:
            assert response.status_code not in (401, 403), where


def test_admins_reach_every_signed_in_route(app, walk):
    for rule, method in routes(app):
        blueprint = rule.endpoint.rpartition(".")[0]
        response = walk("admin", rule, method)
        where = f"{method} {rule.rule}"
        assert answered(response, rule), where
        if blueprint in ADMIN_BLUEPRINTS | SIGNED_IN_BLUEPRINTS:
            assert response.status_code not in (401, 403), where


def test_the_walk_covers_every_route(app):
    walked = {rule.endpoint for rule, _ in routes(app)}
    assert walked == {rule.endpoint for rule in app.url_map.iter_rules()}


# Routes naming a record that agents reach, by the rule that guards it: "interaction" (admins,
# its agent, agents of its queue), "contact" (admins, agents of the queues whose accounts use the
# contact's list, or the list itself, or who can see one of the contact's interactions). Others an agent reaches are "own"
# (the signed-in user's record) or "shared" (the same for every agent); the API's admin
# collections answer 403 to agents.
SCOPED_ROUTES = {
    "interactions.show": "interaction",
    "interactions.close": "interaction",
    "interactions.export_zip": "interaction",
    "interactions.reopen": "interaction",
    "api.get_interaction": "interaction",
    "api.interaction_accept": "interaction",
    "api.interaction_close": "interaction",
    "api.interaction_events": "interaction",
    "api.export_zip": "interaction",
    "api.send_message": "interaction",
    "api.agent_typing": "interaction",
    "api.add_contact": "interaction",
    "api.interaction_read": "interaction",
    "api.send_recontact": "interaction",
    "api.recontact_template": "interaction",
    "api.interaction_reject": "interaction",
    "api.interaction_reopen": "interaction",
    "api.interaction_transfer": "interaction",
    "api.take_over": "interaction",
    "api.interaction_requeue": "interaction",
    "interactions.requeue": "interaction",
    "media.download": "interaction",
    "media.retry": "interaction",
    "contacts.edit": "contact",
    "api.contacts_item": "contact",
    "api.contact_lists_item": "contact",
}
RECORD_IDS = {"api.contact_lists_item": "list_id"}  # what <record_id> names; a contact elsewhere
OWN_ROUTES = {"profile.revoke_token"}
SHARED_ROUTES = {
    "api.templates_item",
    "api.canned_answers_item",
    "api.dispositions_item",
    "api.pause_reasons_item",
    "api.tags_item",
}
ADMIN_API_ROUTES = {
    "api.accounts_item", "api.queues_item", "api.users_item", "api.test_assistant", "api.get_campaign",
    "api.campaign_recipients", "api.campaign_results_csv", "api.campaign_pause", "api.campaign_resume", "api.campaign_cancel",
    "api.assign_interaction", "api.export_contact", "api.erase_contact",
}
# The simulator's routes name a sandbox account; what they reach is guarded by the customer
# numbers the simulator gave that browser session (tests/simulator/test_access.py walks them).
SIMULATOR_ROUTES = {
    "simulator.message",
    "simulator.conversation",
    "simulator.ack",
    "simulator.jump",
    "simulator.media_file",
}
# Methods only admins may use, on routes agents otherwise reach.
ADMIN_METHODS = {("api.contacts_item", "DELETE"), ("api.contact_lists_item", "DELETE"), ("api.contact_lists_item", "PATCH"),
                 ("api.interaction_requeue", "POST"), ("interactions.requeue", "POST")}
# Socket.IO events by who may use them; "interaction" events name one and follow its rule.
SOCKET_EVENTS = {
    "connect": "signed-in",
    "disconnect": "any",
    "watch": "interaction",
    "unwatch": "interaction",
    "sync": "interaction",
}


def record_routes(app):
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rpartition(".")[0]
        if rule.arguments and blueprint not in ADMIN_BLUEPRINTS | {"webhooks", ""}:
            yield rule


def test_every_route_naming_a_record_is_classified(app):
    known = set(SCOPED_ROUTES) | OWN_ROUTES | SHARED_ROUTES | ADMIN_API_ROUTES | SIMULATOR_ROUTES
    unclassified = {rule.endpoint for rule in record_routes(app)} - known
    assert not unclassified, f"decide which rule guards the records these routes name: {unclassified}"
    assert known <= {rule.endpoint for rule in app.url_map.iter_rules()}, "a classified route no longer exists"


def test_every_socket_event_is_classified(app):
    registered = set(socketio.server.handlers["/"])
    assert registered == set(SOCKET_EVENTS), f"decide who may use these Socket.IO events: {registered ^ set(SOCKET_EVENTS)}"


@pytest.fixture
def world(app):
    """An interaction of queue A (assigned to its agent, with a stored file) and its contact, on an
    account with a recontact template; an agent of queue B; an admin."""
    ours, theirs, admin = make_user("agent"), make_user("agent"), make_user("admin")
    account = make_sandbox_account(make_queue([ours["_id"]]))
    recontact = make_template(account, name="recontact", body="Hello again!", recontact=True)
    get_db().accounts.update_one({"_id": account["_id"]}, {"$set": {"settings.recontact_template_id": recontact["_id"]}})
    make_queue([theirs["_id"]])
    inbound.ingest(account, customer_says(account, "+447700900123", "hello"))
    interaction = get_db().interactions.find_one({})
    routing.accept(ours, interaction["_id"])
    [offer] = live_events(interaction["_id"], "offer")
    message_id = offer["message"]["id"]
    stored = media_store.put(b"%PDF-1.4", "a.pdf", "application/pdf", interaction_id=str(interaction["_id"]))
    values = {
        "interaction_id": str(interaction["_id"]),
        "message_id": message_id,
        "file_id": stored["file_id"],
        "contact_id": str(interaction["contact_id"]),
        "list_id": str(get_db().contacts.find_one({"_id": interaction["contact_id"]})["list_id"]),
    }
    users = {"ours": ours, "theirs": theirs, "admin": admin}
    return {"users": users, "values": values, "interaction_id": interaction["_id"], "contact_id": interaction["contact_id"]}


def walk_records(app, world, who):
    """Pages with the user's session, the API with their token (as its clients call it); deletes last."""
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF is tested on its own; here only access is
    client = app.test_client()
    sign_in(client, world["users"][who]["email"])
    token = api_tokens.create_token(world["users"][who]["_id"], "walk")[0]
    calls = [
        (rule, method) for rule in record_routes(app) if rule.endpoint in SCOPED_ROUTES for method in rule.methods & set(METHODS)
    ]
    for rule, method in sorted(calls, key=lambda call: (call[1] == "DELETE", call[0].endpoint, call[1])):
        values = {**world["values"], "record_id": world["values"][RECORD_IDS.get(rule.endpoint, "contact_id")]}
        path = rule.build(values, append_unknown=False)[1]
        headers = {"Authorization": f"Bearer {token}"} if path.startswith("/api/") else {"Accept": "text/html"}
        response = client.open(path, method=method, headers=headers, json={})
        yield rule.endpoint, f"{method} {rule.rule}", method, response
    app.config["WTF_CSRF_ENABLED"] = True


def snapshot(world):
    interaction = get_db().interactions.find_one({"_id": world["interaction_id"]}, {"seq": 1})
    return interaction, get_db().contacts.find_one({"_id": world["contact_id"]})


def test_records_of_other_queues_are_refused_and_left_untouched(app, world):
    before = snapshot(world)
    for endpoint, where, method, response in walk_records(app, world, "theirs"):
        expected = (404,) if SCOPED_ROUTES[endpoint] == "contact" else (403, 404)
        expected = (403,) if (endpoint, method) in ADMIN_METHODS else expected
        if method == "POST" and not where.startswith("POST /api/"):
            expected = (*expected, 302)  # a page's form action: back with the error shown; the snapshot proves it did nothing
        assert response.status_code in expected, f"{where} answered {response.status_code} to an agent of another queue"
    assert snapshot(world) == before


@pytest.mark.parametrize("who", ["ours", "admin"])
def test_the_queue_s_agent_and_admins_reach_its_records(app, world, who):
    for endpoint, where, method, response in walk_records(app, world, who):
        assert response.status_code < 500, where
        if who != "admin" and (endpoint, method) in ADMIN_METHODS:
            assert response.status_code == 403, where
            continue
        assert response.status_code not in (401, 403), f"{where} answered {response.status_code} to {who}"
        if method == "GET":
            assert response.status_code == 200, f"{where} answered {response.status_code} to {who}"


def test_socket_events_follow_the_interaction_rule(app, world):
    server = LiveServer(app).start()
    try:
        with pytest.raises(socketio_client.exceptions.ConnectionError):
            RecordingClient(server.url).connect()
        data = {"interaction_id": str(world["interaction_id"]), "after_seq": 0}
        for who, allowed in (("theirs", False), ("ours", True), ("admin", True)):
            client = connect_as(server, world["users"][who]["email"])
            for event, rule in SOCKET_EVENTS.items():
                if rule != "interaction":
                    continue
                answer = client.client.call(event, data, timeout=10)
                assert ("error" not in answer) is allowed, f"{event} answered {answer} to {who}"
            client.disconnect()
    finally:
        server.stop()
