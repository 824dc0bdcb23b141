"""Sign-ins end for real: a saved cookie stops working after sign-out, password, role and
activity changes, on pages, the API and Socket.IO; remember-me is bounded and honours the same rule."""

import re
from datetime import timedelta

from app.db import get_db
from app.services import clock
from app.services.people import api_tokens
from tests.support.builders import PASSWORD, csrf_token, sign_in

NEW_PASSWORD = "a-brand-new-secret-77"


def saved_cookie(client, name="session"):
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def client_with(app, **cookies):
    """A new browser holding only copies of cookies saved earlier."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def signed_in(app, email, **extra):
    client = app.test_client()
    data = {"email": email, "password": PASSWORD, "csrf_token": csrf_token(client), **extra}
    assert client.post("/login", data=data).status_code == 302
    return client


def post(client, path, data, page="/profile/"):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def opens(client):
    """Whether the cookie still opens a page and the API."""
    page, api = client.get("/contacts/"), client.get("/api/v1/me")
    assert (page.status_code == 200) == (api.status_code == 200), (page.status_code, api.status_code)
    return page.status_code == 200


def test_a_cookie_saved_before_sign_out_opens_nothing_after_it(app, client, agent):
    sign_in(client, agent["email"])
    copy = client_with(app, session=saved_cookie(client))
    assert opens(copy)
    post(client, "/logout", {}, page="/contacts/")
    assert not opens(copy)
    assert copy.get("/contacts/").headers["Location"].startswith("/login")
    assert copy.get("/api/v1/me").get_json()["error"]["code"] == "unauthorized"


def test_sign_out_ends_the_users_sessions_in_every_browser(app, agent):
    laptop, phone = signed_in(app, agent["email"]), signed_in(app, agent["email"])
    post(laptop, "/logout", {}, page="/contacts/")
    assert not opens(phone)
    assert opens(signed_in(app, agent["email"])), "signing in again works"


def test_remember_me_cookie_honours_the_session_version(app, agent):
    browser = signed_in(app, agent["email"], remember="y")
    reopened = client_with(app, remember_token=saved_cookie(browser, "remember_token"))
    assert opens(reopened), "the remember-me cookie alone signs in"
    post(browser, "/logout", {}, page="/contacts/")
    assert not opens(client_with(app, remember_token=saved_cookie(reopened, "remember_token")))


def test_remember_me_lasts_the_configured_days(app, agent):
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
    browser = signed_in(app, agent["email"], remember="y")
    remember = saved_cookie(browser, "remember_token")
    clock.advance(timedelta(days=13, hours=23))
    assert opens(client_with(app, remember_token=remember))
    clock.advance(timedelta(hours=2))
    assert not opens(client_with(app, remember_token=remember)), "no sign-in is honoured past the duration"
    assert not opens(browser), "not even the session it began"


def test_changing_ones_password_keeps_this_session_and_ends_the_others(app, agent):
    here, elsewhere = signed_in(app, agent["email"], remember="y"), signed_in(app, agent["email"])
    token, _ = api_tokens.create_token(agent["_id"], "script")
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    response = post(here, "/profile/password", data)
    assert response.status_code == 302
    assert "signed out everywhere else" in here.get("/profile/").get_data(as_text=True)
    assert opens(here), "the browser that changed it stays signed in"
    assert opens(client_with(app, remember_token=saved_cookie(here, "remember_token"))), "its remember-me cookie too"
    assert not opens(elsewhere)
    refused = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401 and "password changed" in refused.get_json()["error"]["message"]
    assert "revoked (password changed)" in here.get("/profile/").get_data(as_text=True)
    signed_in_anew = app.test_client()
    assert sign_in(signed_in_anew, agent["email"], NEW_PASSWORD).status_code == 302


def test_password_form_errors_sit_next_to_their_fields_and_change_nothing(app, agent):
    browser = signed_in(app, agent["email"])
    cases = [
        (
            {"current_password": "not-my-password", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
            "current_password",
            "This is not your current password.",
        ),
        (
            {"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
            "new_password",
            "Use at least 10 characters.",
        ),
        (
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x"},
            "confirm_password",
            "The two new passwords differ.",
        ),
        (
            {"current_password": "", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
            "current_password",
            "Enter your current password.",
        ),
    ]
    for data, field, message in cases:
        html = post(browser, "/profile/password", data).get_data(as_text=True)
        assert re.search(rf'data-field="{field}".*?class="field-error"[^>]*>{re.escape(message)}<', html, re.S), field
    assert get_db().users.find_one({"_id": agent["_id"]})["session_version"] == 1
    assert opens(browser)
    assert post(browser, "/profile/password", {}).status_code == 200
    assert sign_in(app.test_client(), agent["email"], PASSWORD).status_code == 302, "the old password still works"


def admin_edits(admin_client, agent, **changes):
    data = {"name": agent["name"], "email": agent["email"], "role": agent["role"], "active": "y", "password": "", **changes}
    data = {k: v for k, v in data.items() if v is not None}
    path = f"/admin/agents/{agent['_id']}/edit"
    assert post(admin_client, path, data, page=path).status_code == 302


def test_a_password_set_by_an_admin_ends_every_session_and_api_token(app, admin_client, agent):
    browser, remembered = signed_in(app, agent["email"]), signed_in(app, agent["email"], remember="y")
    remember = saved_cookie(remembered, "remember_token")
    token, _ = api_tokens.create_token(agent["_id"], "script")
    admin_edits(admin_client, agent, password=NEW_PASSWORD)
    assert not opens(browser) and not opens(client_with(app, remember_token=remember))
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_password_set_through_the_api_ends_every_session(app, admin, agent):
    browser = signed_in(app, agent["email"])
    admin_token, _ = api_tokens.create_token(admin["_id"], "admin script")
    response = app.test_client().patch(
        f"/api/v1/users/{agent['_id']}", json={"password": NEW_PASSWORD}, headers={"Authorization": f"Bearer {admin_token}"}
    )
    assert response.status_code == 200
    assert not opens(browser)


def test_a_role_change_ends_the_users_sessions(app, admin_client, agent):
    browser = signed_in(app, agent["email"])
    admin_edits(admin_client, agent, role="admin")
    assert not opens(browser)
    assert signed_in(app, agent["email"]).get("/admin/").status_code == 200, "a new sign-in has the new role"


def test_deactivation_ends_sessions_and_remember_me(app, admin_client, agent):
    remembered = signed_in(app, agent["email"], remember="y")
    remember = saved_cookie(remembered, "remember_token")
    admin_edits(admin_client, agent, active=None)
    assert not opens(remembered) and not opens(client_with(app, remember_token=remember))


def test_an_edit_that_changes_none_of_these_keeps_sessions(app, admin_client, agent):
    browser = signed_in(app, agent["email"])
    admin_edits(admin_client, agent, name="Renamed Agent")
    assert opens(browser)


def test_guessing_the_current_password_is_throttled_like_sign_in(app, agent):
    browser = signed_in(app, agent["email"])
    wrong = {"current_password": "guess-number-one", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    for _ in range(5):
        assert post(browser, "/profile/password", wrong).status_code == 200
    right = {**wrong, "current_password": PASSWORD}
    throttled = post(browser, "/profile/password", right)
    assert throttled.status_code == 429 and "Too many attempts" in throttled.get_data(as_text=True)
    assert sign_in(app.test_client(), agent["email"], PASSWORD).status_code == 302, "nothing changed"
