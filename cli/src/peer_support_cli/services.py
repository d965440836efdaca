"""Every service the platform runs, and the web console: the one list, made of their descriptors.

`up`, `demo`, the operator commands, the embedded launcher (NATS users, databases, ports) and the test
kit all read it, so a new service is one descriptor in its own package and one line here. The CLI is the
one place that knows every service; the shared package never imports a service and no service imports
another (nor this module: the embedded launcher, which the services' test kit uses, may import it).
"""

from __future__ import annotations

from peer_console.service import SERVICE as CONSOLE
from peer_groups.service import SERVICE as GROUPS
from peer_matching.service import SERVICE as MATCHING
from peer_outcomes.service import SERVICE as OUTCOMES
from peer_referrals.service import SERVICE as REFERRALS
from peer_sessions.service import SERVICE as SESSIONS
from peer_shared.service import ServiceDescriptor

SERVICES: tuple[ServiceDescriptor, ...] = (REFERRALS, MATCHING, SESSIONS, OUTCOMES, GROUPS)
"""The event-driven services, in start-up order (a service's consumers find the streams they read)."""

EVERYTHING: tuple[ServiceDescriptor, ...] = (*SERVICES, CONSOLE)
"""Everything `up` runs, in start-up order: the services, then the web console that calls them."""

__all__ = ["CONSOLE", "EVERYTHING", "SERVICES", "names", "service_named"]


def names(services: tuple[ServiceDescriptor, ...] = EVERYTHING) -> tuple[str, ...]:
    """The names of `services`, as operators give them on the command line."""
    return tuple(service.name for service in services)


def service_named(name: str, services: tuple[ServiceDescriptor, ...] = EVERYTHING) -> ServiceDescriptor:
    """The descriptor called `name` among `services`; a KeyError naming the choices if there is none."""
    for service in services:
        if service.name == name:
            return service
    raise KeyError(f"unknown service {name!r}; choose from {', '.join(names(services))}")
