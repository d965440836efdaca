"""A service's descriptor: the one object that says what a service is and how to run it.

Each service exports `SERVICE` from its `service.py`. The CLI (`up`, `demo`, migrations, replays), the
embedded launcher (NATS users, databases, ports), the test kit and the stream checks all read it, so adding
a service means writing one descriptor and listing it in `peer_support_cli.services`. The shared package
declares the type only; it never imports a service.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from fastapi import FastAPI

from peer_events.streams import StreamSpec, streams_of
from peer_shared.clock import Clock
from peer_shared.runtime import SubscriptionFactory
from peer_shared.settings import ServiceSettings


class AppFactory(Protocol):
    """`create_app(settings=None, *, clock=None)`: every service's app factory has this shape."""

    def __call__(self, settings: Any = None, *, clock: Clock | None = None) -> FastAPI: ...


@dataclass(frozen=True)
class ServiceDescriptor:
    """What the rest of the platform needs to know about one service."""

    name: str
    """As operators name it: the NATS user, the Postgres role and database, the log and consumer names."""
    module: str
    """`python -m <module>` runs it."""
    settings: type[ServiceSettings]
    """Its one settings class (`PEER_...` environment variables)."""
    create_app: AppFactory
    migrations: Path
    """Its Alembic migrations folder."""
    subscriptions: SubscriptionFactory | None = None
    """The durable consumers it runs; None for a process without a bus (the web console)."""
    streams: tuple[StreamSpec, ...] = ()
    """The streams it publishes to (its public stream, and an internal one if it has internal events)."""

    @classmethod
    def event_driven(
        cls,
        name: str,
        settings: type[ServiceSettings],
        create_app: AppFactory,
        migrations: Path,
        subscriptions: SubscriptionFactory,
    ) -> ServiceDescriptor:
        """A service on the bus, run as `python -m peer_<name>`, publishing to its own streams."""
        return cls(name, f"peer_{name}", settings, create_app, migrations, subscriptions, streams_of(name))

    @property
    def default_port(self) -> int:
        """Its HTTP port unless configured otherwise: the settings class's default, so it is said once."""
        default = self.settings.model_fields["http_port"].default
        if not isinstance(default, int):
            raise TypeError(f"{self.settings.__name__}.http_port needs an integer default")
        return default

    @property
    def uses_bus(self) -> bool:
        """Whether it has a NATS identity and consumers of its own."""
        return self.subscriptions is not None

    def settings_from(self, **values: Any) -> ServiceSettings:
        """Its settings with these values (others from the environment and defaults)."""
        return self.settings(**values)
