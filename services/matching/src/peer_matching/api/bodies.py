"""Request bodies of the HTTP API (pydantic at the edge: bad input is refused here), and what they say
in the domain's terms."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from peer_events.codes import (
    AvailabilitySlot,
    CodeSet,
    ContactMode,
    ExperienceTag,
    Gender,
    LanguageCode,
    MentorId,
    PostcodeDistrict,
)
from peer_events.events.matching import MentorLeaveReason, MentorPauseReason
from peer_events.programmes import ConditionCode
from peer_matching.domain.geography import is_known_district
from peer_matching.domain.mentor import DEFAULT_CAPACITY, MAX_CAPACITY
from peer_matching.domain.training import TrainingModule
from peer_matching.store.mentors_repo import Contact


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

    def as_contact(self) -> Contact:
        """The details as the registry keeps them."""
        return Contact(**self.model_dump())


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

    def mentor_fields(self) -> dict[str, Any]:
        """The mentor's details as `Mentor` field values."""
        return _domain_fields(self.model_dump(exclude={"contact", "status"}))


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

    def mentor_changes(self) -> dict[str, Any]:
        """The details sent (and only those) as `Mentor` field values."""
        return _domain_fields(self.model_dump(exclude_unset=True, exclude={"contact", "in_training"}))


def _domain_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """API field values as the domain model holds them."""
    converted = dict(fields)
    for name in ("availability", "experience", "interests", "contact_modes"):
        if name in converted:
            converted[name] = frozenset(converted[name])
    for name in ("conditions", "languages"):
        if name in converted:
            converted[name] = tuple(converted[name])
    if "training" in converted:
        converted["training"] = {t["module"]: t["completed_on"] for t in converted["training"] or ()}
    return converted


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


class OverrideIn(Closed):
    """A coordinator picks another mentor for a proposal."""

    mentor_id: MentorId
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)]
