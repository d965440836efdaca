"""The one service list agrees with the published stream contract, and no two services collide."""

from __future__ import annotations

from collections import Counter

from peer_events.streams import ALL_STREAMS, PRODUCERS
from peer_support_cli.services import CONSOLE, EVERYTHING, SERVICES

ON_THE_BUS = tuple(service for service in SERVICES if service.uses_bus)


def test_the_services_on_the_bus_are_the_contracts_producers_in_order() -> None:
    assert tuple(service.name for service in ON_THE_BUS) == PRODUCERS


def test_the_services_publish_to_exactly_the_contracts_streams() -> None:
    assert tuple(spec for service in ON_THE_BUS for spec in service.streams) == ALL_STREAMS


def test_the_console_is_off_the_bus() -> None:
    assert not CONSOLE.uses_bus and CONSOLE.streams == ()


def test_names_modules_and_ports_are_unique() -> None:
    for what in ("name", "module", "default_port"):
        counts = Counter(getattr(service, what) for service in EVERYTHING)
        assert [value for value, n in counts.items() if n > 1] == [], f"shared {what}"


def test_each_service_is_run_by_its_own_package() -> None:
    assert [service.module for service in EVERYTHING] == [f"peer_{service.name}" for service in EVERYTHING]
