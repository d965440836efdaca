"""The console's live parts: the database half of the shared runtime, and the client of the services' APIs.

The console has no bus and no events, so it runs `peer_shared.runtime.DatabaseRuntime` (settings, clock,
migrations, sessions on its accounts database) and adds one HTTP client for the five services, opened and
closed with the app.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI

from peer_console.service_apis import ServiceApis
from peer_console.settings import ConsoleSettings
from peer_console.store import MIGRATIONS
from peer_shared.auth.tokens import load_private_key
from peer_shared.clock import Clock
from peer_shared.runtime import DatabaseRuntime

POOL_SIZE = 5


class ConsoleRuntime(DatabaseRuntime):
    """Settings, clock and account sessions (`DatabaseRuntime`), and `apis` once the app has started."""

    settings: ConsoleSettings

    def __init__(
        self,
        settings: ConsoleSettings,
        *,
        clock: Clock | None = None,
        api_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if settings.signing_key_path is None:
            raise ValueError("PEER_SIGNING_KEY_PATH must name the console's Ed25519 private key")
        super().__init__(settings, migrations=MIGRATIONS, clock=clock, pool_size=POOL_SIZE)
        self._key = load_private_key(settings.signing_key_path)
        self._api_transport = api_transport
        self._apis: ServiceApis | None = None

    @property
    def apis(self) -> ServiceApis:
        """The client of the services' APIs (available once the lifespan has started)."""
        if self._apis is None:
            raise RuntimeError("the console has not started")
        return self._apis

    @contextlib.asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        """Open the database (migrated) and the services' client; close both on shutdown."""
        s = self.settings
        async with httpx.AsyncClient(timeout=s.api_timeout_seconds, transport=self._api_transport) as client:
            self._apis = ServiceApis(s, self._key, self.clock, client)
            async with super().lifespan(app):
                yield
