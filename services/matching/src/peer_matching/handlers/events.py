"""What the matching service consumes: referral events (who needs a mentor) and the end of pairings
(places freed). Each handler changes only the database, through its unit of work.

Matching waits for `ReferralAccepted` (triage done, consent given) and for `ReferralReceived` (the coded
facts: district, gender...), in whichever order they arrive, before the mentee joins the waitlist.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from peer_matching.domain.mentee import MenteeState
from peer_matching.handlers.rounds import lock_condition, run_round
from peer_matching.settings import MatchingSettings
from peer_matching.store import matches, mentees
from peer_matching.store.matches import MatchStatus
from peer_shared.contracts.envelope import CloudEvent
from peer_shared.contracts.events.referrals import (
    ReferralAccepted,
    ReferralReceived,
    ReferralRejected,
    ReferralWithdrawn,
)
from peer_shared.contracts.events.sessions import PairingCompleted, PairingEnded, PairingEndReason
from peer_shared.logging import get_logger
from peer_shared.messaging.subscription import Subscription, durable_name, retry_policy
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.settings import ServiceSettings

log = get_logger(__name__)

MENTEE_LEFT = frozenset({PairingEndReason.MENTEE_WITHDREW, PairingEndReason.MOVED_AWAY})
"""A pairing that ended for these reasons ended because the mentee left: no rematch."""


def subscriptions(settings: ServiceSettings) -> Sequence[Subscription]:
    """The durable consumers of this service: referrals, and the pairings the sessions service ends."""
    config = settings if isinstance(settings, MatchingSettings) else MatchingSettings(**settings.model_dump())
    handlers = MatchingHandlers(config)
    common: dict[str, Any] = {"retry": retry_policy(config), "conditions": tuple(config.conditions)}
    return (
        Subscription(
            name=durable_name(config, "matching-referrals-v1"),
            stream="PEER_REFERRALS",
            handlers={
                ReferralReceived: handlers.received,
                ReferralAccepted: handlers.accepted,
                ReferralRejected: handlers.rejected,
                ReferralWithdrawn: handlers.withdrawn,
            },
            **common,
        ),
        Subscription(
            name=durable_name(config, "matching-pairings-v1"),
            stream="PEER_SESSIONS",
            handlers={PairingEnded: handlers.pairing_ended, PairingCompleted: handlers.pairing_completed},
            **common,
        ),
    )


class MatchingHandlers:
    """The event handlers, bound to the service's settings."""

    def __init__(self, settings: MatchingSettings) -> None:
        self.settings = settings

    async def received(self, event: CloudEvent[ReferralReceived], uow: UnitOfWork) -> None:
        """Keep the referral's coded facts; match if triage has already accepted it."""
        data = event.data
        facts = {
            **_origin(event),
            "gender": data.gender.value,
            "age_band": data.age_band.value,
            "postcode_district": data.postcode_district,
            "preferred_language": data.preferred_language,
            "preferences": data.preferences.model_dump(mode="json"),
            "received_on": data.received_on,
        }
        await lock_condition(uow, event.condition)  # before the mentee's row: the order rounds take
        state = await mentees.record_received(uow.session, data.referral_id, facts, uow.clock.now())
        if state is MenteeState.WAITING:
            await run_round(uow, self.settings, event.condition, caused_by=event)

    async def accepted(self, event: CloudEvent[ReferralAccepted], uow: UnitOfWork) -> None:
        """Keep the confirmed preferences; the mentee waits from now, and is matched if the facts are in."""
        data = event.data
        facts = {
            **_origin(event),
            "preferences": data.preferences.model_dump(mode="json"),
            "accepted_on": data.accepted_on,
            "waiting_since": event.time,
        }
        await lock_condition(uow, event.condition)
        state = await mentees.record_accepted(uow.session, data.referral_id, facts, uow.clock.now())
        if state is MenteeState.WAITING:
            await run_round(uow, self.settings, event.condition, caused_by=event)

    async def rejected(self, event: CloudEvent[ReferralRejected], uow: UnitOfWork) -> None:
        """Triage turned the referral down: it never joins (or leaves) the waitlist."""
        await self._close(event, uow, f"rejected:{event.data.reason.value}", erase=False)

    async def withdrawn(self, event: CloudEvent[ReferralWithdrawn], uow: UnitOfWork) -> None:
        """The mentee left the programme: close them, free their mentor's place, rematch others."""
        reason = f"withdrawn:{event.data.reason.value}"
        await self._close(event, uow, reason, erase=event.data.erase_personal_data)

    async def pairing_ended(self, event: CloudEvent[PairingEnded], uow: UnitOfWork) -> None:
        """A pairing ended early: free the place; the mentee is rematched first unless they left."""
        data = event.data
        await lock_condition(uow, event.condition)
        now = uow.clock.now()
        if await self._finish(uow, data.referral_id, data.mentor_id, MatchStatus.ENDED, data.reason.value):
            left = data.reason in MENTEE_LEFT
            state = MenteeState.CLOSED if left else MenteeState.WAITING
            await mentees.set_state(uow.session, data.referral_id, state, now, rematch=not left)
        await run_round(uow, self.settings, event.condition, caused_by=event)

    async def pairing_completed(self, event: CloudEvent[PairingCompleted], uow: UnitOfWork) -> None:
        """Support finished as planned: the mentor's place is free again."""
        data = event.data
        await lock_condition(uow, event.condition)
        if await self._finish(uow, data.referral_id, data.mentor_id, MatchStatus.COMPLETED, "completed"):
            await mentees.set_state(uow.session, data.referral_id, MenteeState.CLOSED, uow.clock.now())
        await run_round(uow, self.settings, event.condition, caused_by=event)

    async def _finish(
        self, uow: UnitOfWork, referral_id: str, mentor_id: str, status: MatchStatus, reason: str
    ) -> bool:
        """Close the referral's open match with this mentor; False if there is none (already closed)."""
        open_match = await matches.open_for_referral(uow.session, referral_id)
        if open_match is None or open_match.mentor_id != mentor_id:
            log.info("no open match for the pairing", referral_id=referral_id, mentor_id=mentor_id)
            return False
        await matches.finish(uow.session, open_match.match_id, status, uow.clock.now(), reason)
        return True

    async def _close(
        self,
        event: CloudEvent[ReferralRejected] | CloudEvent[ReferralWithdrawn],
        uow: UnitOfWork,
        reason: str,
        *,
        erase: bool,
    ) -> None:
        referral_id = event.data.referral_id
        await lock_condition(uow, event.condition)
        now = uow.clock.now()
        open_match = await matches.open_for_referral(uow.session, referral_id)
        await mentees.close(uow.session, referral_id, _origin(event), reason, now, erase)
        if open_match is None:
            return
        lapsed = open_match.status == MatchStatus.PROPOSED.value
        await matches.finish(
            uow.session,
            open_match.match_id,
            MatchStatus.WITHDRAWN if lapsed else MatchStatus.ENDED,
            now,
            reason,
        )
        await run_round(uow, self.settings, event.condition, caused_by=event)


def _origin(event: CloudEvent[Any]) -> dict[str, Any]:
    return {
        "condition": event.condition,
        "programme": event.programme,
        "correlation_id": event.correlationid,
    }
