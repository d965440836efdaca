"""Which roles may open which part of the console: the same split as the services' APIs."""

from __future__ import annotations

from enum import StrEnum

from peer_shared.auth.tokens import Role


class Area(StrEnum):
    """A part of the console."""

    COORDINATION = "coordination"
    MENTORING = "mentoring"
    REPORTS = "reports"


ADMITTED: dict[Area, frozenset[Role]] = {
    Area.COORDINATION: frozenset({Role.COORDINATOR}),
    Area.MENTORING: frozenset({Role.MENTOR}),
    # The outcomes API gives coordinators and commissioners the report; commissioners only ever the
    # disclosure-controlled one.
    Area.REPORTS: frozenset({Role.COORDINATOR, Role.COMMISSIONER}),
}

HOME: dict[Role, str] = {
    Role.COORDINATOR: "/coordinator",
    Role.MENTOR: "/mentor",
    Role.COMMISSIONER: "/report",
}


def may_open(role: Role, area: Area) -> bool:
    """Whether an account with `role` may open pages and take actions in `area`."""
    return role in ADMITTED[area]
