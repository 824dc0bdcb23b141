import re

from tests.support.builders import PASSWORD, csrf_token, sign_in


def post_login(client, email, password):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)})


def test_admin_lands_on_the_admin_overview(client, admin):
    response = sign_in(client, admin["email"])
    assert response.headers["Location"] == "/admin/"
    page = client.get("/admin/").get_data(as_text=True)
    assert "Overview" in page and admin["name"] in page


def test_agent_lands_on_the_desktop(client, agent):
    assert sign_in(client, agent["email"]).headers["Location"] == "/desktop/"


def test_next_parameter_is_followed_only_within_the_site(client, agent):
    token = csrf_token(client)
    data = {"email": agent["email"], "password": PASSWORD, "csrf_token": token}
    assert client.post("/login?next=//evil.example/x", data=data).headers["Location"] == "/desktop/"


def test_wrong_password_shows_an_error_on_the_form(client, agent):
    response = post_login(client, agent["email"], "not-the-password")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'class="field-error"[^>]*>Wrong email or password\.', html)
    assert agent["email"] in html  # the typed email is kept


def test_empty_fields_are_reported_next_to_each_field(client):
    html = post_login(client, "", "").get_data(as_text=True)
    assert "Enter your email." in html and "Enter your password." in html


def test_post_without_csrf_token_is_refused(client, agent):
    response = client.post("/login", data={"email": agent["email"], "password": PASSWORD})
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)


def test_successful_sign_ins_do_not_count_towards_the_throttle(client, agent):
    for _ in range(8):
        assert post_login(client, agent["email"], PASSWORD).status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/desktop/")})


def test_repeated_failures_from_one_address_are_throttled(client, make_user):
    for n in range(20):
        assert post_login(client, f"nobody{n}@parley.example", "wrong-password-1").status_code == 200
    throttled = post_login(client, "someone-else@parley.example", "wrong-password-1")
    assert throttled.status_code == 429
    assert 540 <= int(throttled.headers["Retry-After"]) <= 600
    assert re.search(
        r'class="field-error"[^>]*>Too many attempts\. Try again in (9|10) minutes\.', throttled.get_data(as_text=True)
    )


def test_session_cookie_is_http_only_and_same_site(client, agent):
    response = sign_in(client, agent["email"])
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_password_is_stored_as_a_slow_hash(agent):
    assert agent["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in agent["password_hash"]


def test_ending_sessions_signs_the_user_out(client, agent):
    from app.services.people.users import end_sessions

    sign_in(client, agent["email"])
    assert client.get("/desktop/").status_code == 200
    end_sessions(agent["_id"])
    assert client.get("/desktop/").status_code == 302


def test_deactivated_user_cannot_sign_in(client, make_user):
    user = make_user("agent", active=False)
    html = post_login(client, user["email"], PASSWORD).get_data(as_text=True)
    assert "Wrong email or password." in html


def test_sign_out_needs_a_post_with_csrf(client, agent):
    sign_in(client, agent["email"])
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    client.post("/logout", data={"csrf_token": csrf_token(client, "/desktop/")})
    assert client.get("/desktop/").status_code == 302


def test_pages_carry_security_headers(client):
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY" and response.headers["X-Content-Type-Options"] == "nosniff"
