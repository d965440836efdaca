"""Fixtures of the console's tests: the console alone (fast, for sign-in and refusals) or in front of
the four services running in-process on the session's real NATS and Postgres."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from console_support import (
    AppsTransport,
    Keys,
    Platform,
    build_services,
    console_settings,
    free_port,
    serve_console,
)

from peer_console.app import create_app
from peer_shared.auth.tokens import generate_keypair
from peer_support_cli.embedded import Infrastructure


@pytest.fixture(scope="session")
def console_keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    """A signing key pair for the console, made once per test session."""
    private_pem, public_pem = generate_keypair()
    path = tmp_path_factory.mktemp("console-key") / "console.pem"
    path.write_text(private_pem)
    return Keys(path, public_pem)


@pytest.fixture
async def console_alone(
    infra: Infrastructure, console_keys: Keys, fresh_database_url: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Platform]]:
    """The console with no services behind it, and an HTTPS client (the session cookie is Secure)."""
    settings = console_settings(infra, console_keys, fresh_database_url)
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://console.test") as client,
    ):
        yield client, Platform("https://console.test", settings, "", {}, lambda *_: "")


@pytest.fixture
async def platform(
    infra: Infrastructure,
    nc: object,
    console_keys: Keys,
    condition: str,
    fresh_database_url: str,
    operator_token: Callable[..., str],
) -> AsyncIterator[Platform]:
    """The four services and the console, served on a real socket for the browser."""
    services = build_services(infra, condition, console_keys)
    async with AsyncExitStack() as stack:
        apis = {}
        for name, app in services.items():
            await stack.enter_async_context(app.router.lifespan_context(app))
            apis[name] = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}.test")
            )
        settings = console_settings(
            infra, console_keys, fresh_database_url, secure_cookies=False, conditions=[condition]
        )
        console = create_app(settings, api_transport=AppsTransport(services))
        url = await stack.enter_async_context(serve_console(console, free_port()))
        yield Platform(url, settings, condition, apis, operator_token)
