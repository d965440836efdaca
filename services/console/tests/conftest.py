"""Fixtures of the console's tests: the console alone (for sign-in and refusals) or in front of the
services running in-process on the session's real NATS and Postgres (peer_testkit.console), the test's
condition on a one-to-one programme of its own (`platform`) or on the long Covid group programme
(`group_platform`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from peer_testkit.console.group_steps import GROUP_PROGRAMME
from peer_testkit.console.platform import Keys, Platform, console_settings, running_console, whole_platform
from peer_testkit.plugin import Infrastructure

CONSOLE_URL = "https://console.test"
"""The console alone is reached over HTTPS, so its Secure session cookie is sent back."""


@pytest.fixture(scope="session")
def console_keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    """A signing key pair for the console, made once per test session."""
    return Keys.made_in(tmp_path_factory.mktemp("console-key"))


@pytest.fixture
async def console_alone(
    infra: Infrastructure, console_keys: Keys, fresh_database_url: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Platform]]:
    """The console with no services behind it, and an HTTPS client."""
    settings = console_settings(console_keys, fresh_database_url)
    async with running_console(settings, CONSOLE_URL) as client:
        yield client, Platform(CONSOLE_URL, settings)


@pytest.fixture
async def platform(
    infra: Infrastructure, nc: object, console_keys: Keys, condition: str, fresh_database_url: str
) -> AsyncIterator[Platform]:
    """The four services and the console, served on a real socket for the browser."""
    settings = console_settings(
        console_keys, fresh_database_url, secure_cookies=False, conditions=[condition]
    )
    async with whole_platform(infra, condition, console_keys, settings) as running:
        yield running


@pytest.fixture
async def group_platform(
    infra: Infrastructure, nc: object, console_keys: Keys, condition: str, fresh_database_url: str
) -> AsyncIterator[Platform]:
    """The services and the console, the test's condition wired to the long Covid group programme."""
    settings = console_settings(
        console_keys, fresh_database_url, secure_cookies=False, conditions=[condition]
    )
    async with whole_platform(infra, condition, console_keys, settings, GROUP_PROGRAMME) as running:
        yield running
