"""Facilitators: mentors from the matching service's registry, and when one may run a group session.

A mentor can facilitate on day D when they are active, trained to facilitate groups, and their checks
still count on D (`checks_valid_until` is the first day they no longer do).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from peer_shared.refusals import Conflict, FieldProblem, Invalid


class FacilitatorStatus(StrEnum):
    """Where the mentor is in matching's registry, as far as groups has heard."""

    REGISTERED = "registered"
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


@dataclass(frozen=True)
class Facilitator:
    """What groups knows of one mentor."""

    mentor_id: str
    status: FacilitatorStatus
    group_facilitator: bool = False
    checks_valid_until: date | None = None
    conditions: tuple[str, ...] = ()

    def valid_on(self, day: date) -> bool:
        """May facilitate a session on `day`."""
        return (
            self.status is FacilitatorStatus.ACTIVE
            and self.group_facilitator
            and self.checks_valid_until is not None
            and self.checks_valid_until > day
        )


def check_known(named: Iterable[str], known: Mapping[str, Facilitator], field: str) -> None:
    """Refuse mentors groups has never heard of, or who have left (422 `unknown-facilitator`)."""
    problems = [
        FieldProblem(field, f"{mentor_id} is not a known facilitator", "unknown-facilitator")
        for mentor_id in named
        if mentor_id not in known or known[mentor_id].status is FacilitatorStatus.LEFT
    ]
    if problems:
        raise Invalid("unknown-facilitator", "name facilitators from the mentor registry", fields=problems)


def require_one_valid(named: Iterable[str], known: Mapping[str, Facilitator], day: date) -> None:
    """A held session needs at least one facilitator valid on its day (409 `no-valid-facilitator`)."""
    if not any(m in known and known[m].valid_on(day) for m in named):
        raise Conflict(
            "no-valid-facilitator",
            f"none of the session's facilitators may facilitate on {day.isoformat()} "
            "(active, trained for groups, checks in date)",
        )
