"""Builders for test data, with sequences so every call makes a distinct record."""

import itertools
import re

from app.services.people import users

PASSWORD = "correct-horse-42"
_seq = itertools.count(1)


def make_user(role="agent", email=None, name=None, password=PASSWORD, active=True):
    n = next(_seq)
    return users.create_user(email or f"{role}{n}@parley.example", password, name or f"{role.title()} {n}", role, active)


def csrf_token(client, path="/login"):
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, email, password=PASSWORD):
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)})
    assert response.status_code == 302, f"sign-in of {email} failed: {response.status_code}"
    return response
