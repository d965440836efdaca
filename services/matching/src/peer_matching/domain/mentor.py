"""A volunteer mentor as matching sees them, and their lifecycle (applicant -> in training -> active
<-> paused -> left).

Contact details (name, email, phone) are not part of this model: they stay in the registry's own table and
are never needed to decide a match, so they cannot leak into an event by accident.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from peer_events.codes import ContactMode, ExperienceTag, Gender
from peer_matching.domain.training import (
    Check,
    CheckRules,
    TrainingModule,
    checks_valid_until,
    expired_checks,
    is_group_facilitator,
    missing_modules,
)
from peer_shared.refusals import Conflict, Invalid, Refusal

DEFAULT_CAPACITY = 2
MAX_CAPACITY = 20


class MentorStatus(StrEnum):
    """Where a mentor is in their volunteering."""

    APPLICANT = "applicant"
    IN_TRAINING = "in-training"
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


@dataclass(frozen=True)
class Mentor:
    """Everything matching needs to know about one mentor."""

    mentor_id: str
    status: MentorStatus
    conditions: tuple[str, ...]
    postcode_district: str
    travel_km: float
    gender: Gender
    registered_on: date
    capacity: int = DEFAULT_CAPACITY
    languages: tuple[str, ...] = ("en",)
    availability: frozenset[str] = frozenset()
    experience: frozenset[ExperienceTag] = frozenset()
    interests: frozenset[str] = frozenset()
    contact_modes: frozenset[ContactMode] = frozenset(ContactMode)
    training: dict[TrainingModule, date] = field(default_factory=dict)
    dbs_checked_on: date | None = None
    safeguarding_refreshed_on: date | None = None

    @property
    def checks(self) -> dict[Check, date | None]:
        """The dates the safety checks were last done."""
        return {Check.DBS: self.dbs_checked_on, Check.SAFEGUARDING_REFRESHER: self.safeguarding_refreshed_on}

    @property
    def shares(self) -> frozenset[str]:
        """Lived experience and interests a mentee's wishes are compared with."""
        return frozenset(self.experience) | self.interests


def readiness_problems(mentor: Mentor, on: date, rules: CheckRules) -> list[str]:
    """What stops the mentor from being active on `on` (empty when nothing does)."""
    problems = [f"training module '{module}' not completed" for module in missing_modules(mentor.training)]
    problems += [
        f"{check} check missing or expired on {on}" for check in expired_checks(mentor.checks, on, rules)
    ]
    return problems


def initial_status(mentor: Mentor, requested: MentorStatus, on: date, rules: CheckRules) -> MentorStatus:
    """The status a newly registered mentor starts in; `active` only if they are ready for it.

    Refused as `Invalid`: the registration itself asks for what cannot be.
    """
    if requested in (MentorStatus.PAUSED, MentorStatus.LEFT):
        raise Invalid("invalid-initial-status", f"a new mentor cannot start as {requested}")
    if requested is MentorStatus.ACTIVE:
        _require_ready(mentor, on, rules, Invalid)
    return requested


def activate(mentor: Mentor, on: date, rules: CheckRules) -> Mentor:
    """Make the mentor available for matching: training complete and checks in date today.

    Refused as a `Conflict` with the mentor's current status or records.
    """
    if mentor.status is MentorStatus.LEFT:
        raise Conflict("mentor-left", "a mentor who left cannot be activated; register them again")
    if mentor.status is MentorStatus.ACTIVE:
        raise Conflict("already-active", "the mentor is already active")
    _require_ready(mentor, on, rules, Conflict)
    return replace(mentor, status=MentorStatus.ACTIVE)


def pause(mentor: Mentor) -> Mentor:
    """Stop new matches for a while; only an active mentor can pause."""
    if mentor.status is not MentorStatus.ACTIVE:
        raise Conflict("not-active", f"only an active mentor can pause; this one is {mentor.status}")
    return replace(mentor, status=MentorStatus.PAUSED)


def retire(mentor: Mentor) -> Mentor:
    """The mentor stops volunteering for good."""
    if mentor.status is MentorStatus.LEFT:
        raise Conflict("mentor-left", "the mentor has already left")
    return replace(mentor, status=MentorStatus.LEFT)


def check_update(before: Mentor, after: Mentor, on: date, rules: CheckRules) -> None:
    """Refuse an edit that would leave an active mentor unfit to be active (pause them first).

    Refused as `Invalid`: the edit is what is wrong.
    """
    if before.status is MentorStatus.LEFT:
        raise Invalid("mentor-left", "a mentor who left cannot be changed")
    if after.status is MentorStatus.ACTIVE:
        _require_ready(after, on, rules, Invalid)


@dataclass(frozen=True)
class Credentials:
    """What group programmes need to know of a mentor: trained to facilitate groups, and until when their
    checks count (None while one is missing)."""

    group_facilitator: bool
    checks_valid_until: date | None


def credentials(mentor: Mentor, rules: CheckRules) -> Credentials:
    """The mentor's credentials as their records stand."""
    return Credentials(is_group_facilitator(mentor.training), checks_valid_until(mentor.checks, rules))


def publishes_credentials(mentor: Mentor) -> bool:
    """Whether a change of the mentor's credentials is published: only while they are active or paused
    (an applicant's or trainee's credentials go out with their activation)."""
    return mentor.status in (MentorStatus.ACTIVE, MentorStatus.PAUSED)


@dataclass(frozen=True)
class Expiry:
    """A mentor's check and the first day it no longer counts."""

    mentor: Mentor
    check: Check
    expires_on: date


def expiring(mentors: Iterable[Mentor], by: date, rules: CheckRules) -> list[Expiry]:
    """Checks of mentors who have not left that run out on or before `by`, soonest first."""
    found = [
        Expiry(mentor, check, rules.expires_on(check, done_on))
        for mentor in mentors
        if mentor.status is not MentorStatus.LEFT
        for check, done_on in mentor.checks.items()
        if done_on is not None
    ]
    return sorted(
        (e for e in found if e.expires_on <= by), key=lambda e: (e.expires_on, e.mentor.mentor_id, e.check)
    )


def _require_ready(mentor: Mentor, on: date, rules: CheckRules, refusal: type[Refusal]) -> None:
    # The same rule is a conflict with the mentor's records on activation, but an invalid request when
    # a registration or an edit asks for it.
    problems = readiness_problems(mentor, on, rules)
    if problems:
        raise refusal("not-ready", "the mentor cannot be active: " + "; ".join(problems))
