"""Referral events: the coded facts, triage's acceptance, a rejection or a withdrawal, each translated
into a waitlist use case."""

from __future__ import annotations

from typing import Any

from peer_events.envelope import CloudEvent
from peer_events.events.referrals import (
    ReferralAccepted,
    ReferralReceived,
    ReferralRejected,
    ReferralWithdrawn,
)
from peer_matching.settings import MatchingSettings
from peer_matching.use_cases import waitlist
from peer_shared.messaging.unit_of_work import UnitOfWork


class ReferralHandlers:
    """The handlers of referral events, bound to the service's settings."""

    def __init__(self, settings: MatchingSettings) -> None:
        self.settings = settings

    async def received(self, event: CloudEvent[ReferralReceived], uow: UnitOfWork) -> None:
        """The referral's coded facts (district, gender, the referrer's view of the preferences)."""
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
        await waitlist.record_facts(uow, self.settings, data.referral_id, facts, event)

    async def accepted(self, event: CloudEvent[ReferralAccepted], uow: UnitOfWork) -> None:
        """Triage accepted the referral: the confirmed preferences, and the mentee waits from now."""
        data = event.data
        facts = {
            **_origin(event),
            "preferences": data.preferences.model_dump(mode="json"),
            "accepted_on": data.accepted_on,
            "waiting_since": event.time,
        }
        await waitlist.record_acceptance(uow, self.settings, data.referral_id, facts, event)

    async def rejected(self, event: CloudEvent[ReferralRejected], uow: UnitOfWork) -> None:
        """Triage turned the referral down: it never joins (or leaves) the waitlist."""
        reason = f"rejected:{event.data.reason.value}"
        await waitlist.close(
            uow, self.settings, event.data.referral_id, _origin(event), reason, event, erase=False
        )

    async def withdrawn(self, event: CloudEvent[ReferralWithdrawn], uow: UnitOfWork) -> None:
        """The mentee left the programme: close them, free their mentor's place, rematch others."""
        data = event.data
        reason = f"withdrawn:{data.reason.value}"
        await waitlist.close(
            uow,
            self.settings,
            data.referral_id,
            _origin(event),
            reason,
            event,
            erase=data.erase_personal_data,
        )


def _origin(event: CloudEvent[Any]) -> dict[str, Any]:
    """Where the referral belongs: its condition, programme and flow."""
    return {
        "condition": event.condition,
        "programme": event.programme,
        "correlation_id": event.correlationid,
    }
