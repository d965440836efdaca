"""What the HTTP handlers share: settings, the runtime (database, clock) and the referral rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import Request

from peer_referrals.domain.conditions import ConditionRouting
from peer_referrals.domain.validation import ReferralPolicy
from peer_referrals.service_layer.batching import IntakeBatcher
from peer_referrals.settings import ReferralsSettings
from peer_shared.clock import to_london
from peer_shared.runtime import ServiceRuntime


@dataclass
class Context:
    """The referrals service's live parts, as the HTTP handlers and the MLLP feed see them."""

    settings: ReferralsSettings
    runtime: ServiceRuntime
    policy: ReferralPolicy
    _intake: IntakeBatcher | None = None

    @property
    def intake(self) -> IntakeBatcher:
        """Where valid referrals are stored (group commit); set once the lifespan has started."""
        if self._intake is None:
            raise RuntimeError("the service has not started")
        return self._intake

    @intake.setter
    def intake(self, batcher: IntakeBatcher | None) -> None:
        self._intake = batcher

    def today(self) -> date:
        """Today's date in the UK."""
        return to_london(self.runtime.clock.now()).date()


def referral_policy(settings: ReferralsSettings) -> ReferralPolicy:
    """The referral rules this deployment is configured with."""
    routing = ConditionRouting(
        programmes=settings.condition_programmes,
        aliases=settings.condition_aliases,
        served=frozenset(settings.conditions),
    )
    return ReferralPolicy(routing=routing, minimum_age=settings.minimum_age)


async def context(request: Request) -> Context:
    """FastAPI dependency: the service context set up by `create_app`.

    `async` although it awaits nothing: FastAPI runs a plain `def` dependency in a worker thread,
    a thread hand-off on every request.
    """
    found: Context = request.app.state.referrals
    return found
