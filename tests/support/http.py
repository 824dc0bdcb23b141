"""Signing in over real HTTP (requests), for Socket.IO clients and the server smoke test."""

import re

import requests

from tests.support.builders import PASSWORD


def signed_in_session(base_url, email, password=PASSWORD):
    session = requests.Session()
    html = session.get(f"{base_url}/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = session.post(
        f"{base_url}/login", data={"email": email, "password": password, "csrf_token": token}, allow_redirects=False, timeout=10
    )
    assert response.status_code == 302, f"sign-in failed: {response.status_code}"
    return session


def cookie_header(session):
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def api_caller(session, base_url):
    """`call(method, path, body=None)` on /api/v1 with `session`'s sign-in and its page's CSRF token."""
    html = session.get(f"{base_url}/desktop/", timeout=10).text
    token = html.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    return lambda method, path, body=None: session.request(
        method, f"{base_url}/api/v1{path}", json=body, headers={"X-CSRFToken": token}, timeout=10
    )
