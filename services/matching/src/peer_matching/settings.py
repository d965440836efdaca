"""Settings of the matching service (`PEER_...` environment variables)."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from peer_events.events.matching import MatchMode
from peer_events.programmes import KNOWN_PROGRAMMES, DeliveryFormat
from peer_matching.domain.eligibility import EligibilityContext
from peer_matching.domain.scoring import ScoringRules
from peer_matching.domain.training import CheckRules
from peer_shared.settings import ServiceSettings


class ProgrammeMode(StrEnum):
    """How matching treats a programme's referrals: the two ways of matching (`MatchMode`), or `off` —
    another service (groups) delivers the programme and matching ignores its referrals."""

    AUTO = MatchMode.AUTO.value
    SUGGEST = MatchMode.SUGGEST.value
    OFF = "off"


class ProgrammeMatching(BaseModel):
    """How one programme matches: publish at once (`auto`), wait for a coordinator (`suggest`) or not at
    all (`off`), and how criteria are weighed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: ProgrammeMode = ProgrammeMode.AUTO
    scoring: ScoringRules = ScoringRules()

    @property
    def matched(self) -> bool:
        """Whether matching takes the programme's referrals at all."""
        return self.mode is not ProgrammeMode.OFF


LEFT_TO_GROUPS: dict[str, ProgrammeMatching] = {
    code: ProgrammeMatching(mode=ProgrammeMode.OFF)
    for code, known in KNOWN_PROGRAMMES.items()
    if known.delivery is DeliveryFormat.GROUP
}
"""Known group-delivered programmes: matching is `off` for them unless `programmes` lists them."""


class MatchingSettings(ServiceSettings):
    """The matching service's one settings object."""

    service_name: str = Field("matching", description="Service name")
    http_port: int = Field(8002, ge=0, le=65535, description="Port the HTTP API listens on")
    programmes: dict[str, ProgrammeMatching] = Field(
        default_factory=dict,
        description=(
            "Matching mode (auto, suggest, off) and weights per programme code (JSON); a known group"
            " programme not listed is off, others use `default_programme`"
        ),
    )
    default_programme: ProgrammeMatching = Field(
        ProgrammeMatching(), description="Matching mode and weights of a programme not listed"
    )
    check_rules: CheckRules = Field(
        CheckRules(), description="How long a DBS check and a safeguarding refresher stay valid (days)"
    )
    first_session_lead_days: int = Field(
        14, ge=0, le=120, description="Days from a match to the likely first session (checks must last)"
    )
    condition_programmes: dict[str, str] = Field(
        default_factory=lambda: {p.condition: p.code for p in KNOWN_PROGRAMMES.values()},
        description="The programme named on mentor events of each condition",
    )

    def programme(self, code: str) -> ProgrammeMatching:
        """A programme's matching settings."""
        if code in self.programmes:
            return self.programmes[code]
        return LEFT_TO_GROUPS.get(code, self.default_programme)

    def scoring_for(self, code: str) -> ScoringRules:
        """A programme's scoring rules."""
        return self.programme(code).scoring

    def eligibility_context(self, today: date) -> EligibilityContext:
        """What eligibility is judged against for a match made today."""
        first_session = today + timedelta(days=self.first_session_lead_days)
        return EligibilityContext(first_session_on=first_session, rules=self.check_rules)

    def programme_of_condition(self, condition: str) -> str:
        """The programme code mentor events carry for a condition."""
        return self.condition_programmes.get(condition, f"{condition}-one-to-one")
