"""The web console for tests: alone (its own database, no services), or in front of the services
(`peer_support_cli.services.SERVICES`: referrals, matching, sessions, outcomes and groups) running
in-process on the session's NATS and Postgres (each with a fresh database and the test's own
condition), all in the test's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from peer_console.app import create_app
from peer_console.commands import add_account
from peer_console.domain.accounts import Account
from peer_console.settings import CONSOLE_ISSUER, ConsoleSettings
from peer_console.store import accounts_repo
from peer_shared.auth.tokens import Role, generate_keypair
from peer_shared.db import make_engine, make_session_factory
from peer_support_cli.embedded import Infrastructure
from peer_support_cli.services import SERVICES
from peer_testkit.platform import programme_settings
from peer_testkit.ports import free_port
from peer_testkit.settings import test_settings
from peer_testkit.tokens import TokenIssuer

PASSWORD = "correct horse battery staple"
STAFF_SUBJECT = "usr_" + "0" * 32


@dataclass(frozen=True)
class Keys:
    """The console's signing key (a file) and its public half (for the services to trust)."""

    private_path: Path
    public_pem: str

    @classmethod
    def made_in(cls, folder: Path) -> Keys:
        """A fresh Ed25519 key pair, the private half written to `folder`."""
        private_pem, public_pem = generate_keypair()
        path = folder / "console.pem"
        path.write_text(private_pem)
        return cls(path, public_pem)


def console_settings(keys: Keys, database_url: str, **overrides: Any) -> ConsoleSettings:
    """The console's settings: its accounts database, its key, each service reached at
    `http://<name>.test` (the in-process apps of `service_apps`)."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "signing_key_path": keys.private_path,
        "session_secret": "s" * 48,
        "log_level": "warning",
        "lockout_failures": 3,
        "lockout_minutes": 0,
        **{f"{service.name}_url": f"http://{service.name}.test" for service in SERVICES},
    }
    return ConsoleSettings(**(values | overrides))


class AppsTransport(httpx.AsyncBaseTransport):
    """Sends each request to the in-process app named by its host (`http://matching.test/...`)."""

    def __init__(self, apps: dict[str, FastAPI]) -> None:
        self._transports = {f"{name}.test": httpx.ASGITransport(app=app) for name, app in apps.items()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Route by host."""
        return await self._transports[request.url.host].handle_async_request(request)


def service_apps(
    infra: Infrastructure, condition: str, keys: Keys, programme: str | None = None
) -> dict[str, FastAPI]:
    """The services, each on a fresh database, trusting the console's key. The test's condition is
    matched in `suggest` mode (a coordinator confirms) on a programme of its own, unless `programme`
    names a known programme to wire it to (a group programme is left to the groups service)."""
    own: dict[str, dict[str, Any]] = {
        "referrals": {
            "condition_aliases": {"t2d": condition},
            "condition_programmes": {"t2d": f"{condition}-suggest"},
        },
        "matching": {
            "condition_programmes": {condition: f"{condition}-suggest"},
            "programmes": {f"{condition}-suggest": {"mode": "suggest"}},
        },
    }
    if programme is not None:
        own = programme_settings(condition, programme)
    own["sessions"] = {"safeguarding_check_seconds": 0.2}
    own["groups"] = {"safeguarding_check_seconds": 0.2}
    apps = {}
    for service in SERVICES:
        database_url = infra.create_database(f"c_{uuid.uuid4().hex[:16]}")
        values = test_settings(
            infra,
            service.name,
            database_url=database_url,
            condition=condition,
            outbox_poll_seconds=0.1,
            log_level="warning",
            **own.get(service.name, {}),
        )
        values["auth_public_keys"] = values["auth_public_keys"] | {CONSOLE_ISSUER: keys.public_pem}
        apps[service.name] = service.create_app(service.settings(**values))
    return apps


@dataclass
class Platform:
    """The running console: its URL, its settings, and operator clients for each service behind it."""

    url: str
    settings: ConsoleSettings
    condition: str = ""
    apis: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    tokens: TokenIssuer | None = None

    async def account(self, role: Role, mentor_id: str | None = None, username: str | None = None) -> str:
        """Add a console account (as the operator's CLI does); returns its user name."""
        username = username or f"{role.value}-{uuid.uuid4().hex[:8]}"
        url = self.settings.database_url.get_secret_value()
        await add_account(url, username, f"Test {role.value.title()}", role, PASSWORD, mentor_id)
        return username

    async def account_in_role(self, role: Role) -> str:
        """A new account of `role`; a mentor account is bound to a mentor id of its own, which is all a
        check of what the role may open needs."""
        return await self.account(role, f"mnt_{uuid.uuid4().hex}" if role is Role.MENTOR else None)

    async def stored_account(self, username: str) -> Account | None:
        """The account as the console's database holds it."""
        engine = make_engine(self.settings.database_url.get_secret_value(), pool_size=1)
        try:
            async with make_session_factory(engine)() as session:
                return await accounts_repo.by_username(session, username)
        finally:
            await engine.dispose()

    def as_operator(self, role: Role, subject: str = STAFF_SUBJECT) -> dict[str, str]:
        """Headers for calling a service directly with the operator's key (to set up and to check)."""
        if self.tokens is None:
            raise RuntimeError("this console runs with no services behind it")
        return self.tokens.headers(role, subject)


ConsoleAlone = tuple[httpx.AsyncClient, Platform]
"""A client of the console running with no services behind it, and its platform helpers."""


@contextlib.asynccontextmanager
async def running_console(
    settings: ConsoleSettings, base_url: str, api_transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """The console started in-process with no services behind it (or stand-ins reached through
    `api_transport`), and a client for it at `base_url`."""
    app = create_app(settings, api_transport=api_transport)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as client,
    ):
        yield client


@contextlib.asynccontextmanager
async def whole_platform(
    infra: Infrastructure, condition: str, keys: Keys, settings: ConsoleSettings, programme: str | None = None
) -> AsyncIterator[Platform]:
    """The services in-process and the console in front of them, served on a real socket (`programme`:
    see `service_apps`)."""
    services = service_apps(infra, condition, keys, programme)
    async with AsyncExitStack() as stack:
        apis = {}
        for name, app in services.items():
            await stack.enter_async_context(app.router.lifespan_context(app))
            apis[name] = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}.test")
            )
        console = create_app(settings, api_transport=AppsTransport(services))
        url = await stack.enter_async_context(serve_console(console))
        yield Platform(url, settings, condition, apis, TokenIssuer(infra))


@contextlib.asynccontextmanager
async def serve_console(app: FastAPI) -> AsyncIterator[str]:
    """Serve the console with uvicorn on a free port, in this event loop (the services share it)."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    try:
        while not server.started:
            if task.done():
                task.result()
            if loop.time() > deadline:
                raise TimeoutError("the console did not start listening within 20 s")
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
