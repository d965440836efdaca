"""The services the CLI composes: how to run each one and what it consumes, and the web console.

The CLI is the one place that knows every service; the shared package never imports a service and no
service imports another.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import peer_matching.store
import peer_outcomes.store
import peer_referrals.store
import peer_sessions.store
from peer_matching.handlers.events import subscriptions as matching_subscriptions
from peer_matching.settings import MatchingSettings
from peer_outcomes.handlers.events import subscriptions as outcomes_subscriptions
from peer_outcomes.settings import OutcomesSettings
from peer_referrals.handlers.events import subscriptions as referrals_subscriptions
from peer_referrals.settings import ReferralsSettings
from peer_sessions.handlers.events import subscriptions as sessions_subscriptions
from peer_sessions.settings import SessionsSettings
from peer_shared.runtime import SubscriptionFactory
from peer_shared.settings import ServiceSettings
from peer_support_cli.embedded.paths import CONSOLE
from peer_support_cli.embedded.service_config import SERVICE_PORTS


class ServiceName(StrEnum):
    """A service, as operators name it on the command line."""

    REFERRALS = "referrals"
    MATCHING = "matching"
    SESSIONS = "sessions"
    OUTCOMES = "outcomes"


@dataclass(frozen=True)
class Program:
    """A process `up` runs: `python -m <module>`, serving HTTP (with /readyz) on its port."""

    name: str
    module: str
    default_port: int


@dataclass(frozen=True)
class Service:
    """One service as the CLI runs and operates it."""

    name: ServiceName
    module: str
    """Run with `python -m <module>`."""
    settings_class: type[ServiceSettings]
    subscriptions: SubscriptionFactory
    migrations: Path
    default_port: int

    @property
    def program(self) -> Program:
        """How `up` runs it."""
        return Program(self.name.value, self.module, self.default_port)


def _service(
    name: ServiceName,
    module: str,
    settings_class: type[ServiceSettings],
    subscriptions: SubscriptionFactory,
    migrations: Path,
) -> Service:
    # The port comes from the launcher's table, so `up` and the embedded configuration agree.
    return Service(name, module, settings_class, subscriptions, migrations, SERVICE_PORTS[name.value])


REGISTRY: dict[ServiceName, Service] = {
    service.name: service
    for service in (
        _service(
            ServiceName.REFERRALS,
            "peer_referrals",
            ReferralsSettings,
            referrals_subscriptions,
            peer_referrals.store.MIGRATIONS,
        ),
        _service(
            ServiceName.MATCHING,
            "peer_matching",
            MatchingSettings,
            matching_subscriptions,
            peer_matching.store.MIGRATIONS,
        ),
        _service(
            ServiceName.SESSIONS,
            "peer_sessions",
            SessionsSettings,
            sessions_subscriptions,
            peer_sessions.store.MIGRATIONS,
        ),
        _service(
            ServiceName.OUTCOMES,
            "peer_outcomes",
            OutcomesSettings,
            outcomes_subscriptions,
            peer_outcomes.store.MIGRATIONS,
        ),
    )
}
"""Every service, in start-up order."""

CONSOLE_PROGRAM = Program(CONSOLE, "peer_console", SERVICE_PORTS[CONSOLE])
"""The web console: no events of its own, it calls the four services' HTTP APIs."""

PROGRAMS: tuple[Program, ...] = (*(service.program for service in REGISTRY.values()), CONSOLE_PROGRAM)
"""Everything `up` runs, in start-up order: the four services, then the web console."""
