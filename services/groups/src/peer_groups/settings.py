"""Settings of the groups service (`PEER_...` environment variables)."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from peer_events.programmes import KNOWN_PROGRAMMES
from peer_groups.domain.programme import ProgrammeRules
from peer_shared.safeguarding_settings import SafeguardingSettings


class WaitlistOrder(StrEnum):
    """How a programme's waitlist is ordered (by need is planned; only referral date exists yet)."""

    REFERRAL_DATE = "referral-date"


class GroupProgramme(BaseModel):
    """How one group programme runs its cohorts; a cohort may override the sizes and the rhythm."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    condition: str | None = Field(
        None, description="The condition the programme serves (unset: from the platform's known programmes)"
    )
    max_size: int = Field(12, ge=1, le=100, description="Most members a cohort takes")
    min_size: int = Field(6, ge=1, le=100, description="Fewest members a cohort runs with")
    planned_sessions: int = Field(8, ge=1, le=100, description="Sessions a cohort is planned to meet")
    cadence_days: int = Field(14, ge=1, le=31, description="Days between sessions")
    session_minutes: int = Field(90, ge=10, le=480, description="Usual length of a session")
    completion_share: float = Field(
        0.75, gt=0, le=1, description="Share of the sessions held a member attends to complete"
    )
    absences_before_follow_up: int = Field(
        2, ge=1, le=20, description="Absences in a row (not apologies) before a member is followed up"
    )
    start_when_full: bool = Field(False, description="Start a cohort as soon as it is full")
    propose_next_cohort_at: int = Field(
        6, ge=1, le=1000, description="People waiting without a place before a next cohort is proposed"
    )
    waitlist_order: WaitlistOrder = Field(
        WaitlistOrder.REFERRAL_DATE, description="How the waitlist is ordered"
    )

    @model_validator(mode="after")
    def _sizes_in_order(self) -> Self:
        if self.min_size > self.max_size:
            raise ValueError("min_size is at most max_size")
        return self

    def rules(self) -> ProgrammeRules:
        """The programme's rules, as the use cases take them."""
        return ProgrammeRules(**self.model_dump(exclude={"waitlist_order", "condition"}))


class GroupsSettings(SafeguardingSettings):
    """The groups service's one settings object (concerns escalate as in the sessions service)."""

    service_name: str = Field("groups", description="Service name")
    http_port: int = Field(8006, ge=0, le=65535, description="Port the HTTP API listens on")
    conditions: list[str] = Field(["long-covid"], description="Conditions whose group programmes run here")
    programmes: dict[str, GroupProgramme] = Field(
        {"long-covid-group": GroupProgramme()},
        description="Group programmes run here (programme code -> how its cohorts run)",
    )
    cohort_start_check_seconds: float = Field(
        60, gt=0, description="How often cohorts whose start date has come are started"
    )

    def programme(self, code: str) -> GroupProgramme | None:
        """The programme's configuration, or None when this service does not run it."""
        return self.programmes.get(code)

    def condition_of(self, code: str) -> str | None:
        """The condition a programme run here serves; None for a programme not run here."""
        configured = self.programmes.get(code)
        if configured is None:
            return None
        known = KNOWN_PROGRAMMES.get(code)
        return configured.condition or (known.condition if known else self.conditions[0])

    def rules_of(self, code: str) -> ProgrammeRules:
        """The rules of a programme (defaults for a cohort whose programme is no longer configured)."""
        configured = self.programmes.get(code)
        return configured.rules() if configured is not None else ProgrammeRules()
