"""A mentee waiting for a mentor, and how referral events move them along.

Events arrive in any order (there is no ordering across streams, and batches are handled concurrently),
so a mentee is ready to match only once both halves are known: the facts sent with `ReferralReceived`
and the acceptance (consent, confirmed preferences) sent with `ReferralAccepted`, whichever comes first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from peer_events.codes import ContactMode, ExperienceTag, Gender, GenderPreference
from peer_events.events.sessions import PairingEndReason

REMOTE_MODES = frozenset({ContactMode.PHONE, ContactMode.VIDEO})


class MenteeState(StrEnum):
    """Where a referral is as far as matching is concerned."""

    AWAITING_ACCEPTANCE = "awaiting-acceptance"
    """Received; triage has not accepted it yet."""
    AWAITING_DETAILS = "awaiting-details"
    """Accepted, but the referral's own facts have not arrived yet."""
    WAITING = "waiting"
    """Ready to match and not matched: on the waitlist."""
    PROPOSED = "proposed"
    """A match waits for a coordinator to confirm it (`suggest` mode)."""
    MATCHED = "matched"
    """Matched with a mentor."""
    CLOSED = "closed"
    """Rejected, withdrawn, or finished: never matched again."""


OPEN_STATES = frozenset({MenteeState.WAITING, MenteeState.PROPOSED, MenteeState.MATCHED})

MENTEE_LEFT = frozenset({PairingEndReason.MENTEE_WITHDREW, PairingEndReason.MOVED_AWAY})
"""A pairing that ended for these reasons ended because the mentee left: no rematch."""


@dataclass(frozen=True)
class Mentee:
    """A mentee ready to be matched: coded facts and preferences only."""

    referral_id: str
    condition: str
    programme: str
    postcode_district: str
    gender: Gender
    waiting_since: datetime
    preferred_mentor_gender: GenderPreference | None = None
    languages: tuple[str, ...] = ()
    """Languages the mentee will talk in, most preferred first; empty: no requirement."""
    preferred_language: str | None = None
    """Main language when it is not English (from the referral); a wish, not a requirement."""
    availability: frozenset[str] = frozenset()
    contact_modes: frozenset[ContactMode] = frozenset()
    """Ways of meeting the mentee chose; empty means the programme's usual: in person."""
    experience: frozenset[ExperienceTag] = frozenset()
    rematch: bool = False
    """Their previous pairing ended early or their mentor left: they are matched first."""

    @property
    def accepted_modes(self) -> frozenset[ContactMode]:
        """The ways of meeting this mentee accepts."""
        return self.contact_modes or frozenset({ContactMode.IN_PERSON})

    @property
    def wanted_language(self) -> str | None:
        """The language the mentee would most like to talk in, if they said."""
        return self.languages[0] if self.languages else self.preferred_language


def after_received(state: MenteeState | None) -> MenteeState:
    """The state once the referral's facts are known."""
    if state is None:
        return MenteeState.AWAITING_ACCEPTANCE
    if state is MenteeState.AWAITING_DETAILS:
        return MenteeState.WAITING
    return state


def after_accepted(state: MenteeState | None) -> MenteeState:
    """The state once triage has accepted the referral."""
    if state is None:
        return MenteeState.AWAITING_DETAILS
    if state is MenteeState.AWAITING_ACCEPTANCE:
        return MenteeState.WAITING
    return state
