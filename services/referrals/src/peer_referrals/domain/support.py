"""The referral's progress after triage, from matching's and sessions' events, in any arrival order.

Each event is a fact with the time it happened; the current stage is the latest fact, so an early or late
arrival cannot move the referral backwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SupportStage(StrEnum):
    """Where the person is in peer support once accepted."""

    MATCHED = "matched"
    STARTED = "started"
    PAUSED = "paused"
    COMPLETED = "completed"
    ENDED = "ended"


# Breaks ties between facts stamped with the same instant: later stages win.
_ORDER = {stage: rank for rank, stage in enumerate(SupportStage)}
_WITH_MENTOR = frozenset({SupportStage.MATCHED, SupportStage.STARTED, SupportStage.PAUSED})


@dataclass(frozen=True)
class SupportFact:
    """One lifecycle event about a referral's support."""

    stage: SupportStage
    happened_at: datetime
    mentor_id: str


def current_fact(facts: Iterable[SupportFact]) -> SupportFact | None:
    """The fact that says where the referral is now."""
    return max(facts, key=lambda f: (f.happened_at, _ORDER[f.stage]), default=None)


def current_mentor(facts: Iterable[SupportFact]) -> str | None:
    """The mentor supporting the person now (matched or paired, not finished), if any."""
    latest = current_fact(facts)
    return latest.mentor_id if latest is not None and latest.stage in _WITH_MENTOR else None


def progress(triage_status: str, stage: SupportStage | None) -> str:
    """One word for where a referral is, as the referrer sees it.

    Closed triage outcomes (rejected, withdrawn) win; then the support stage once matching or sessions
    have spoken; otherwise the triage status (received, contacted, accepted).
    """
    if triage_status in ("rejected", "withdrawn") or stage is None:
        return triage_status
    return stage.value
