"""Fixtures of the CLI's tests: signing in to a running web console as a person would."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

SignIn = Callable[[str, str, str], httpx.Client]
"""(console URL, username, password) -> a client holding the signed-in session, on the person's home."""


@pytest.fixture
def sign_in_to_console() -> Iterator[SignIn]:
    """Sign in through the console's form (CSRF token and session cookie included), as a browser does."""
    clients: list[httpx.Client] = []

    def sign_in(url: str, username: str, password: str) -> httpx.Client:
        client = httpx.Client(base_url=url, follow_redirects=True, timeout=30)
        clients.append(client)
        form = client.get("/sign-in")
        assert form.status_code == 200, form.text[:2000]
        token = CSRF.search(form.text)
        assert token, form.text[:2000]
        signed_in = client.post(
            "/sign-in", data={"csrf_token": token.group(1), "username": username, "password": password}
        )
        assert signed_in.status_code == 200, signed_in.text[:2000]
        assert signed_in.url.path != "/sign-in", f"{username} was not signed in"
        return client

    yield sign_in
    for client in clients:
        client.close()
