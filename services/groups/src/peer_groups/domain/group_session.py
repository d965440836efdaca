"""A group session: held (with the register) or cancelled, and what a valid record of one is.

The register names every current member exactly once (attended, apologies or absent); a correction
replaces the whole record and bumps the revision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from peer_events.codes import Topic
from peer_events.events.groups import CancellationReason, GroupSetting, Presence
from peer_shared.refusals import FieldProblem, Invalid


class SessionStatus(StrEnum):
    """Whether a planned session took place."""

    HELD = "held"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class SessionRecord:
    """What a coordinator or facilitator records about one session."""

    status: SessionStatus
    held_on: date
    """The day it took place (for a cancelled session, the day it was planned for)."""
    facilitators: tuple[str, ...]
    setting: GroupSetting | None = None
    """Unset: the cohort's."""
    duration_minutes: int | None = None
    topics: tuple[Topic, ...] = ()
    register: Mapping[str, Presence] | None = None
    cancel_reason: CancellationReason | None = None
    notes: str | None = None

    def of(self, presence: Presence) -> tuple[str, ...]:
        """The referral ids the register marks so, in id order."""
        return tuple(sorted(r for r, p in (self.register or {}).items() if p is presence))


@dataclass(frozen=True)
class StoredSession:
    """A recorded session: its id, place in the cohort and current revision."""

    id: str
    cohort_id: str
    number: int
    revision: int
    record: SessionRecord


def with_defaults(record: SessionRecord, setting: GroupSetting, minutes: int) -> SessionRecord:
    """Fill what the record left out from the cohort (its setting) and programme (usual length)."""
    held = record.status is SessionStatus.HELD
    duration = record.duration_minutes if record.duration_minutes is not None or not held else minutes
    return replace(record, setting=record.setting or setting, duration_minutes=duration)


def check_record(record: SessionRecord, members: Iterable[str]) -> None:
    """Refuse a record whose content breaks the rules (422 `invalid-session`)."""
    problems: list[FieldProblem] = []
    if record.status is SessionStatus.HELD:
        if record.duration_minutes is None:
            problems.append(FieldProblem("body.duration_minutes", "a held session has a duration"))
        if record.cancel_reason is not None:
            problems.append(FieldProblem("body.cancel_reason", "only a cancelled session has a reason"))
        problems.extend(register_problems(record.register or {}, members))
    else:
        if record.cancel_reason is None:
            problems.append(FieldProblem("body.cancel_reason", "a cancelled session needs a reason"))
        if record.register:
            problems.append(FieldProblem("body.register", "a cancelled session has no register"))
    named = len(set(record.facilitators))
    # A session that did not take place may have had nobody to run it (reason no-facilitator).
    fewest = 1 if record.status is SessionStatus.HELD else 0
    if not fewest <= named <= 4 or named != len(record.facilitators):
        problems.append(FieldProblem("body.facilitators", f"name {fewest} to 4 different facilitators"))
    if problems:
        raise Invalid("invalid-session", "the session record breaks the rules", fields=problems)


def register_problems(register: Mapping[str, Presence], members: Iterable[str]) -> list[FieldProblem]:
    """Every current member exactly once, and nobody else."""
    current = set(members)
    problems = [
        FieldProblem(f"body.register.{rid}", "not a current member of the cohort", "not-a-member")
        for rid in sorted(set(register) - current)
    ]
    problems += [
        FieldProblem(f"body.register.{rid}", "the register leaves out a current member", "member-missing")
        for rid in sorted(current - set(register))
    ]
    return problems
