"""The scenario's vocabulary as plain data: a referral, the feed it arrives by, and a step of the story.

Both programmes' stories (`scenario` for one-to-one support, `group_scenario` for the long Covid groups)
are told in these terms, so the driver plays them as one sequence on one clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from peer_events.programmes import KNOWN_PROGRAMMES
from peer_support_cli.demo.group_support import GroupSessionPlan, MeasurePlan
from peer_support_cli.demo.people import Person
from peer_support_cli.demo.support import PamPlan, SessionPlan

PRACTICES = (
    ("B86001", "Harehills Medical Practice", "Dr Chidi Okafor"),
    ("B86008", "Chapel Allerton Surgery", "Dr Ruth Fielding"),
    ("B86015", "Roundhay Road Health Centre", "Dr Asif Malik"),
    ("B86024", "Armley Moor Medical Centre", "Dr Helen Birch"),
    ("B86042", "Kirkstall Lane Surgery", "Dr Owen Price"),
)
"""The GP practices that refer: ODS code, name, referring clinician."""


class Feed(StrEnum):
    """How a referral reaches the referrals service."""

    FHIR_BUNDLE = "fhir-bundle"
    FHIR_REQUEST = "fhir-service-request"
    HL7 = "hl7v2"
    CSV = "csv"

    @property
    def source(self) -> str:
        """The source the reports count it under."""
        return "fhir" if self.value.startswith("fhir") else self.value


@dataclass(frozen=True)
class Referral:
    """One person referred by their GP practice for a condition, and their main preferences."""

    key: str
    person: Person
    practice: tuple[str, str, str]
    """ODS code, practice name, referring clinician."""
    feed: Feed
    authored_on: date
    preferences: tuple[str, ...]
    """Preference codes as referred (`contact-mode:phone`); the coordinator confirms them at acceptance."""
    condition: str
    """The condition code the referral's coded reason stands for (`t2d`, `long-covid`)."""

    @property
    def programme(self) -> str:
        """The programme the referrals service routes the condition to."""
        return next(p.code for p in KNOWN_PROGRAMMES.values() if p.condition == self.condition)


@dataclass(frozen=True)
class Step:
    """Something that happens at `at` (scenario time); `referral` is the key of the referral it is about,
    `cohort` the key of the group cohort."""

    at: datetime
    referral: str | None
    action: str
    """One-to-one: register-mentors, arrive, contact, consent, accept, reject, baseline, session, concern,
    end, complete or follow-up; groups: register-facilitators, plan-cohort, start-cohort, group-session,
    measure, group-follow-up or finish-cohort."""
    detail: dict[str, object] = field(default_factory=dict)
    session: SessionPlan | None = None
    pam: PamPlan | None = None
    cohort: str | None = None
    group_session: GroupSessionPlan | None = None
    measure: MeasurePlan | None = None
