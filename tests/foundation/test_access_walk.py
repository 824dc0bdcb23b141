"""Walks every route with anonymous, agent and admin clients, so no route is left open by mistake.

Every blueprint must be classified below: a new blueprint fails this test until someone
decides who may reach it.
"""

import pytest

from app.access import PUBLIC_ENDPOINTS, SELF_AUTHENTICATED_BLUEPRINTS

ADMIN_BLUEPRINTS = {
    "admin",
    "accounts",
    "queues",
    "agents",
    "templates",
    "canned_answers",
    "dispositions",
    "tags",
    "contact_lists",
    "dashboard",
}
SIGNED_IN_BLUEPRINTS = {"main", "auth", "desktop", "interactions", "contacts", "profile", "api_docs", "media", "simulator"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
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


def test_anonymous_reaches_only_public_routes(app, walk):
    for rule, method in routes(app):
        response = walk("anonymous", rule, method)
        where = f"{method} {rule.rule}"
        assert response.status_code < 500, where
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
        assert response.status_code < 500, where
        if blueprint in ADMIN_BLUEPRINTS:
            assert response.status_code == 403, f"{where} answered {response.status_code} to an agent"
        elif blueprint in SIGNED_IN_BLUEPRINTS:
            assert response.status_code not in (401, 403), where


def test_admins_reach_every_signed_in_route(app, walk):
    for rule, method in routes(app):
        blueprint = rule.endpoint.rpartition(".")[0]
        response = walk("admin", rule, method)
        where = f"{method} {rule.rule}"
        assert response.status_code < 500, where
        if blueprint in ADMIN_BLUEPRINTS | SIGNED_IN_BLUEPRINTS:
            assert response.status_code not in (401, 403), where


def test_the_walk_covers_every_route(app):
    walked = {rule.endpoint for rule, _ in routes(app)}
    assert walked == {rule.endpoint for rule in app.url_map.iter_rules()}
