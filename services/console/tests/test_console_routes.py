"""Every page and action of the console needs a signed-in account of an admitted role, except the few
that are public by design; and the operator's account commands work from the command line."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.routing import APIRoute
from typer.testing import CliRunner

from peer_console.app import create_app
from peer_console.commands import app as accounts_cli
from peer_console.pages.web import SignedIn
from peer_console.store import accounts_repo
from peer_shared.db import make_engine, make_session_factory
from peer_testkit.console.platform import PASSWORD, Keys, console_settings

PUBLIC = {"/", "/sign-in", "/sign-out", "/healthz", "/readyz"}


def test_every_route_but_the_public_ones_requires_a_role(console_keys: Keys) -> None:
    app = create_app(console_settings(console_keys, "postgresql+asyncpg://unused/unused"))
    unguarded = [
        route.path
        for route in app.routes
        if isinstance(route, APIRoute)
        and route.path not in PUBLIC
        and not any(isinstance(d.call, SignedIn) for d in route.dependant.dependencies)
    ]
    assert unguarded == []


@pytest.mark.integration
def test_the_operator_adds_locks_and_unlocks_accounts_from_the_command_line(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEER_DATABASE_URL", fresh_database_url)
    runner = CliRunner()
    added = runner.invoke(
        accounts_cli,
        ["add", "dana", "--role", "commissioner", "--name", "Dana", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    assert added.output.strip().startswith("usr_")
    refused = runner.invoke(
        accounts_cli, ["add", "sam", "--role", "mentor", "--name", "Sam", "--password-stdin"], input=PASSWORD
    )
    assert refused.exit_code == 2 and "mentor id" in refused.output
    assert runner.invoke(accounts_cli, ["lock", "dana"]).exit_code == 0
    assert runner.invoke(accounts_cli, ["lock", "nobody"]).exit_code == 1
    assert asyncio.run(_disabled(fresh_database_url, "dana")) is True
    assert runner.invoke(accounts_cli, ["unlock", "dana"]).exit_code == 0
    assert asyncio.run(_disabled(fresh_database_url, "dana")) is False


async def _disabled(url: str, username: str) -> bool | None:
    engine = make_engine(url, pool_size=1)
    try:
        async with make_session_factory(engine)() as session:
            account = await accounts_repo.by_username(session, username)
    finally:
        await engine.dispose()
    return account.disabled if account else None
