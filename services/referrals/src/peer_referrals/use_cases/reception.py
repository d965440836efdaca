"""Where every live feed hands a referral in: the deployment's referral rules, then group-committed intake.

The FHIR routes and the HL7 feed read a submission in their own format, then `check` it against the
rules (today in the UK on the service clock) and `submit` the valid referral, which returns once it and
its `ReferralReceived` are committed. The CSV import takes the same rules (`referral_policy`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from peer_referrals.domain.conditions import ConditionRouting
from peer_referrals.domain.submission import Submission
from peer_referrals.domain.validation import ReferralPolicy, ValidReferral, validate
from peer_referrals.settings import ReferralsSettings
from peer_referrals.use_cases.batching import IntakeBatcher
from peer_referrals.use_cases.intake import Received
from peer_shared.clock import Clock, uk_today
from peer_shared.db import SessionFactory


def referral_policy(settings: ReferralsSettings) -> ReferralPolicy:
    """The referral rules this deployment is configured with."""
    routing = ConditionRouting(
        programmes=settings.condition_programmes,
        aliases=settings.condition_aliases,
        served=frozenset(settings.conditions),
    )
    return ReferralPolicy(routing=routing, minimum_age=settings.minimum_age)


@dataclass
class Reception:
    """The referrals service's intake, as the FHIR routes and the MLLP feed see it."""

    settings: ReferralsSettings
    clock: Clock
    policy: ReferralPolicy
    _batcher: IntakeBatcher | None = field(default=None, init=False)

    @classmethod
    def configured(cls, settings: ReferralsSettings, clock: Clock) -> Reception:
        """A reception applying the rules `settings` configure; it stores nothing until `start`."""
        return cls(settings, clock, referral_policy(settings))

    def check(self, submission: Submission) -> ValidReferral:
        """The submission as a valid referral today; `InvalidReferral` listing every problem otherwise."""
        return validate(submission, self.policy, uk_today(self.clock))

    async def submit(self, referral: ValidReferral, submitted_by: str | None) -> Received:
        """Store one valid referral; returns once it is committed, raises if its transaction failed."""
        if self._batcher is None:
            raise RuntimeError("the service has not started")
        return await self._batcher.submit(referral, submitted_by)

    def start(self, sessions: SessionFactory) -> None:
        """Start storing referrals (group commit) on the service's database."""
        self._batcher = IntakeBatcher(sessions, self.clock)

    async def close(self) -> None:
        """Finish storing what was submitted, then stop."""
        if self._batcher is not None:
            await self._batcher.close()
