"""A pairing of a mentee (by referral) with a mentor, and its lifecycle.

active -> paused -> active ..., then completed (the planned end of support) or ended early with a coded
reason. Completed and ended are final: a referral that needs support again gets a new match and a new
pairing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from peer_events.events.referrals import WithdrawalReason
from peer_events.events.sessions import PairingEndReason, PairingPauseReason
from peer_shared.refusals import Conflict


class PairingStatus(StrEnum):
    """Where a pairing is in its lifecycle."""

    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    ENDED = "ended"


OPEN_STATUSES = frozenset({PairingStatus.ACTIVE, PairingStatus.PAUSED})


@dataclass
class Pairing:
    """One mentee and one mentor meeting under one programme."""

    id: str
    match_id: str
    referral_id: str
    mentor_id: str
    condition: str
    programme: str
    started_on: date
    planned_end_on: date
    correlation_id: uuid.UUID
    """The referral's whole journey: every event about the pairing carries it."""
    status: PairingStatus = PairingStatus.ACTIVE
    paused_on: date | None = None
    pause_reason: PairingPauseReason | None = None
    paused_for_mentor: bool = False
    """The pause followed the mentor's own pause, so the mentor's return resumes it."""
    finished_on: date | None = None
    end_reason: PairingEndReason | None = None

    @property
    def is_open(self) -> bool:
        """Active or paused: the pairing can still change."""
        return self.status in OPEN_STATUSES

    def require_active(self) -> None:
        """Sessions are only logged (and corrected) while the pairing is active."""
        if self.status is not PairingStatus.ACTIVE:
            raise Conflict("pairing-not-active", f"pairing {self.id} is {self.status.value}, not active")

    def pause(self, on: date, reason: PairingPauseReason, *, for_mentor: bool = False) -> None:
        """Stop meeting for a while."""
        self._require(PairingStatus.ACTIVE, "pause")
        self.status = PairingStatus.PAUSED
        self.paused_on, self.pause_reason, self.paused_for_mentor = on, reason, for_mentor

    def resume(self) -> None:
        """Start meeting again after a pause."""
        self._require(PairingStatus.PAUSED, "resume")
        self.status = PairingStatus.ACTIVE
        self.paused_on, self.pause_reason, self.paused_for_mentor = None, None, False

    def complete(self, on: date) -> None:
        """Support finished as planned."""
        self._require_open("complete")
        self.status, self.finished_on = PairingStatus.COMPLETED, on

    def end(self, on: date, reason: PairingEndReason) -> None:
        """Support stopped early."""
        self._require_open("end")
        self.status, self.finished_on, self.end_reason = PairingStatus.ENDED, on, reason

    def _require(self, status: PairingStatus, action: str) -> None:
        if self.status is not status:
            raise Conflict(
                f"pairing-not-{status.value}",
                f"cannot {action} pairing {self.id}: it is {self.status.value}, not {status.value}",
            )

    def _require_open(self, action: str) -> None:
        if not self.is_open:
            raise Conflict(
                "pairing-finished", f"cannot {action} pairing {self.id}: it is {self.status.value}"
            )


def start_pairing(
    *,
    match_id: str,
    referral_id: str,
    mentor_id: str,
    condition: str,
    programme: str,
    started_on: date,
    weeks: int,
    correlation_id: uuid.UUID,
) -> Pairing:
    """A new, active pairing from a match, planned to run for `weeks` weeks."""
    return Pairing(
        id=f"pai_{uuid.uuid4().hex}",
        match_id=match_id,
        referral_id=referral_id,
        mentor_id=mentor_id,
        condition=condition,
        programme=programme,
        started_on=started_on,
        planned_end_on=started_on + timedelta(weeks=weeks),
        correlation_id=correlation_id,
    )


def end_reason_for_withdrawal(reason: WithdrawalReason) -> PairingEndReason:
    """The pairing's end reason when its referral is withdrawn."""
    if reason is WithdrawalReason.MOVED_AWAY:
        return PairingEndReason.MOVED_AWAY
    if reason is WithdrawalReason.UNABLE_TO_CONTACT:
        return PairingEndReason.NO_ENGAGEMENT
    return PairingEndReason.MENTEE_WITHDREW
