"""The referrals service's events: an accepted referral to a group programme joins its waitlist; a
withdrawn one leaves the waitlist or its cohort. Referrals for programmes not run here are ignored."""

from __future__ import annotations

from peer_events.envelope import CloudEvent
from peer_events.events.referrals import ReferralAccepted, ReferralWithdrawn
from peer_groups.domain.waitlist import Entry, EntryStatus
from peer_groups.settings import GroupsSettings
from peer_groups.use_cases.enrolment import waitlist_referral
from peer_groups.use_cases.withdrawal import withdraw_referral
from peer_shared.messaging.unit_of_work import UnitOfWork


class ReferralEvents:
    """The handlers, configured with the programmes this service runs."""

    def __init__(self, settings: GroupsSettings) -> None:
        self._settings = settings

    async def on_referral_accepted(self, event: CloudEvent[ReferralAccepted], uow: UnitOfWork) -> None:
        """Waitlist the referral (from the day triage accepted it) when its programme is a group one."""
        if event.programme not in self._settings.programmes:
            return
        entry = Entry(
            referral_id=event.data.referral_id,
            programme=event.programme,
            condition=event.condition,
            waitlisted_on=event.data.accepted_on,
            correlation_id=event.correlationid,
        )
        await waitlist_referral(uow, entry, self._settings.rules_of(event.programme), caused_by=event)

    async def on_referral_withdrawn(self, event: CloudEvent[ReferralWithdrawn], uow: UnitOfWork) -> None:
        """Apply the withdrawal (see `use_cases.withdrawal`)."""
        if event.programme not in self._settings.programmes:
            return
        data = event.data
        unknown = Entry(
            referral_id=data.referral_id,
            programme=event.programme,
            condition=event.condition,
            waitlisted_on=data.withdrawn_on,
            correlation_id=event.correlationid,
            status=EntryStatus.WITHDRAWN,
        )
        await withdraw_referral(
            uow, unknown, on=data.withdrawn_on, erase=data.erase_personal_data, caused_by=event
        )
