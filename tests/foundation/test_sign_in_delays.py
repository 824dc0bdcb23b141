"""Failed sign-ins slow down the address that fails, never the right password from elsewhere."""

import re
from datetime import timedelta

from app import create_app
from app.services import clock
from tests.support.builders import PASSWORD, csrf_token, make_user
from tools.devstack import free_port

ATTACKER = "203.0.113.5"
USER = "198.51.100.7"


def client_at(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def post_login(client, email, password):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)})


def wait_message(response):
    match = re.search(r'class="field-error"[^>]*>(Too many attempts\. Try again in [^<]+)<', response.get_data(as_text=True))
    return match and match.group(1)


def test_failures_from_one_address_never_refuse_the_right_password_from_another(app, agent):
    attacker = client_at(app, ATTACKER)
    for _ in range(10):
        assert post_login(attacker, agent["email"], "wrong-password-1").status_code in (200, 429)
    assert post_login(attacker, agent["email"], PASSWORD).status_code == 429

    response = post_login(client_at(app, USER), agent["email"], PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/desktop/"


def test_the_failing_address_sees_its_wait_and_the_wait_grows(app, agent):
    attacker = client_at(app, ATTACKER)
    assert post_login(attacker, agent["email"], "wrong-1").status_code == 200
    assert post_login(attacker, agent["email"], "wrong-2").status_code == 200

    third = post_login(attacker, agent["email"], "wrong-3")
    assert third.status_code == 429 and third.headers["Retry-After"] == "30"
    assert "Wrong email or password." in third.get_data(as_text=True)
    assert wait_message(third) == "Too many attempts. Try again in 30 seconds."

    # During the wait even the right password is not checked from this address.
    clock.advance(timedelta(seconds=10))
    waiting = post_login(attacker, agent["email"], PASSWORD)
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "20"
    assert wait_message(waiting) == "Too many attempts. Try again in 20 seconds."

    clock.advance(timedelta(seconds=21))
    fourth = post_login(attacker, agent["email"], "wrong-4")
    assert fourth.headers["Retry-After"] == "60"
    clock.advance(timedelta(seconds=61))
    fifth = post_login(attacker, agent["email"], "wrong-5")
    assert fifth.headers["Retry-After"] == "120"
    assert wait_message(fifth) == "Too many attempts. Try again in 2 minutes."


def test_the_wait_stops_growing_at_its_longest(app, agent):
    attacker = client_at(app, ATTACKER)
    for _ in range(8):
        response = post_login(attacker, agent["email"], "wrong")
        clock.advance(timedelta(minutes=16))
    assert response.headers["Retry-After"] == "900"
    assert wait_message(response) == "Too many attempts. Try again in 15 minutes."


def test_a_successful_sign_in_forgets_the_failures_of_its_address(app, agent):
    client = client_at(app, USER)
    for _ in range(3):
        post_login(client, agent["email"], "wrong")
    clock.advance(timedelta(seconds=31))
    assert post_login(client, agent["email"], PASSWORD).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/desktop/")})
    assert post_login(client, agent["email"], "wrong").status_code == 200


def test_the_wait_is_per_account(app, agent, make_user):
    other = make_user("agent")
    client = client_at(app, USER)
    for _ in range(3):
        post_login(client, agent["email"], "wrong")
    assert post_login(client, other["email"], PASSWORD).status_code == 302


def test_sign_in_works_while_redis_is_down(config):
    """Fail open: a Redis outage must not lock every user out (see app/services/people/sign_in_delays.py)."""
    config.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(config)
    user = make_user("agent")
    client = client_at(app, USER)
    for _ in range(4):
        wrong = post_login(client, user["email"], "wrong")
        assert wrong.status_code == 200 and "Wrong email or password." in wrong.get_data(as_text=True)
    assert post_login(client, user["email"], PASSWORD).status_code == 302


def behind_proxy(app, forwarded_for, proxy="10.0.0.2"):
    client = client_at(app, proxy)
    client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client


def test_behind_a_trusted_proxy_each_client_address_counts_on_its_own(config):
    config.PROXY_COUNT = 1
    app = create_app(config)
    agent = make_user("agent")
    attacker = behind_proxy(app, ATTACKER)
    for _ in range(3):
        post_login(attacker, agent["email"], "wrong-password-1")
    assert post_login(attacker, agent["email"], PASSWORD).status_code == 429
    response = post_login(behind_proxy(app, USER), agent["email"], PASSWORD)
    assert response.status_code == 302, "a user behind the same balancer is not made to wait for the attacker"


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(app, agent):
    attacker = behind_proxy(app, ATTACKER)
    for _ in range(3):
        post_login(attacker, agent["email"], "wrong-password-1")
    # The header is the client's own word: choosing another address does not escape the wait.
    assert post_login(behind_proxy(app, USER), agent["email"], PASSWORD).status_code == 429
