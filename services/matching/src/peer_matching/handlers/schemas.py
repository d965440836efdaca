"""Request and response bodies of the HTTP API (pydantic at the edge: bad input is refused here)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from peer_matching.domain.geography import is_known_district
from peer_matching.domain.mentor import DEFAULT_CAPACITY, MAX_CAPACITY
from peer_matching.domain.training import TrainingModule
from peer_shared.contracts.codes import (
    AvailabilitySlot,
    CodeSet,
    ContactMode,
    ExperienceTag,
    Gender,
    LanguageCode,
    MentorId,
    PostcodeDistrict,
)
from peer_shared.contracts.events.matching import MentorLeaveReason, MentorPauseReason
from peer_shared.contracts.programmes import ConditionCode


def _known_district(value: str) -> str:
    if not is_known_district(value):
        raise ValueError(f"unknown postcode district {value!r}: not in the UK outcode table")
    return value


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


District = Annotated[PostcodeDistrict, BeforeValidator(_upper), AfterValidator(_known_district)]
InterestCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=40)]
Capacity = Annotated[int, Field(ge=1, le=MAX_CAPACITY, description="Most mentees at once")]
TravelKm = Annotated[float, Field(ge=0, le=200, description="How far the mentor will travel (km)")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ]{7,20}$")]


class Closed(BaseModel):
    """Unknown fields are refused, so a typo never silently does nothing."""

    model_config = ConfigDict(extra="forbid")


class TrainingRecord(Closed):
    """A completed training module."""

    module: TrainingModule
    completed_on: date


class ContactIn(Closed):
    """A mentor's personal contact details (stay in this service)."""

    full_name: Name
    email: Email | None = None
    phone: Phone | None = None


class MentorFields(Closed):
    """What a coordinator may set on a mentor."""

    conditions: CodeSet[ConditionCode] = Field(min_length=1, max_length=10)
    training: list[TrainingRecord] = Field(default_factory=list, max_length=len(TrainingModule))
    dbs_checked_on: date | None = None
    safeguarding_refreshed_on: date | None = None
    capacity: Capacity = DEFAULT_CAPACITY
    postcode_district: District
    travel_km: TravelKm = 10.0
    gender: Gender
    languages: CodeSet[LanguageCode] = Field(default=("en",), min_length=1, max_length=10)
    availability: CodeSet[AvailabilitySlot] = Field(default=(), max_length=21)
    experience: CodeSet[ExperienceTag] = Field(default=(), max_length=len(ExperienceTag))
    interests: CodeSet[InterestCode] = Field(default=(), max_length=20)
    contact_modes: CodeSet[ContactMode] = Field(default=tuple(ContactMode), min_length=1)


class MentorIn(MentorFields):
    """Register a mentor."""

    contact: ContactIn
    status: Literal["applicant", "in-training", "active"] = "applicant"


class MentorPatch(Closed):
    """Change some of a mentor's details; absent fields stay as they are."""

    contact: ContactIn | None = None
    conditions: CodeSet[ConditionCode] | None = Field(default=None, min_length=1, max_length=10)
    training: list[TrainingRecord] | None = Field(default=None, max_length=len(TrainingModule))
    dbs_checked_on: date | None = None
    safeguarding_refreshed_on: date | None = None
    capacity: Capacity | None = None
    postcode_district: District | None = None
    travel_km: TravelKm | None = None
    gender: Gender | None = None
    languages: CodeSet[LanguageCode] | None = Field(default=None, min_length=1, max_length=10)
    availability: CodeSet[AvailabilitySlot] | None = Field(default=None, max_length=21)
    experience: CodeSet[ExperienceTag] | None = Field(default=None, max_length=len(ExperienceTag))
    interests: CodeSet[InterestCode] | None = Field(default=None, max_length=20)
    contact_modes: CodeSet[ContactMode] | None = Field(default=None, min_length=1)
    in_training: bool | None = Field(default=None, description="Move an applicant into training")


class PauseIn(Closed):
    """Pause an active mentor."""

    reason: MentorPauseReason
    expected_back_on: date | None = None
    release_mentees: bool = Field(
        False, description="Also end the mentor's current matches, so their mentees are rematched first"
    )


class RetireIn(Closed):
    """A mentor stops volunteering."""

    reason: MentorLeaveReason


class MentorOut(BaseModel):
    """A mentor as the coordinator sees them (contact details included: coordinators only)."""

    mentor_id: MentorId
    status: str
    contact: ContactIn | None
    conditions: list[str]
    training: list[TrainingRecord]
    missing_modules: list[TrainingModule]
    dbs_checked_on: date | None
    dbs_expires_on: date | None
    safeguarding_refreshed_on: date | None
    safeguarding_expires_on: date | None
    capacity: int
    load: int
    postcode_district: str
    travel_km: float
    gender: Gender
    languages: list[str]
    availability: list[str]
    experience: list[str]
    interests: list[str]
    contact_modes: list[str]
    registered_on: date


class ExpiringCheck(BaseModel):
    """A DBS check or safeguarding refresher that runs out soon (or has run out)."""

    mentor_id: str
    status: str
    check: str
    expires_on: date
    days_left: int


class Problem(BaseModel):
    """An error body: a stable code and what went wrong."""

    code: str
    message: str


class OverrideIn(Closed):
    """A coordinator picks another mentor for a proposal."""

    mentor_id: MentorId
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)]


class WaitlistEntry(BaseModel):
    """A mentee on the waitlist."""

    referral_id: str
    condition: str
    programme: str
    position: int
    waiting_since: datetime | None
    rematch: bool
    reason_code: str | None
    reason: str | None
    funnel: dict[str, int] | None
