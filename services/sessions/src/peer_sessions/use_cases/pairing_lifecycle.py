"""Changing a pairing's state and publishing the change, for HTTP routes and event consumers alike.

The transitions (`pause`, `resume`, `complete`, `end`) expect the caller to hold the pairing row lock
(and the mentor lock before it, when they take one): each applies the domain transition, saves it, and
stages the lifecycle event in the same transaction. The coordinator's decisions (`pause_pairing`, ...)
take those locks themselves and act on today's date in the UK.
"""

from __future__ import annotations

from datetime import date

from peer_events.events.sessions import PairingEndReason, PairingPauseReason
from peer_sessions import events_out
from peer_sessions.domain.pairing import Pairing
from peer_sessions.events_out import Cause
from peer_sessions.store import pairings_repo
from peer_sessions.use_cases.pairing_access import lock_pairing
from peer_shared.auth import Principal
from peer_shared.clock import uk_today
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


async def pause(
    uow: UnitOfWork,
    pairing: Pairing,
    *,
    on: date,
    reason: PairingPauseReason,
    for_mentor: bool = False,
    caused_by: Cause = None,
) -> None:
    """Pause an active pairing."""
    pairing.pause(on, reason, for_mentor=for_mentor)
    await pairings_repo.save_state(uow.session, pairing, at=uow.clock.now())
    await uow.emit(events_out.pairing_paused(pairing, uow.clock, caused_by))
    log.info("pairing paused", pairing_id=pairing.id, reason=reason.value)


async def resume(uow: UnitOfWork, pairing: Pairing, *, on: date, caused_by: Cause = None) -> None:
    """Resume a paused pairing."""
    pairing.resume()
    await pairings_repo.save_state(uow.session, pairing, at=uow.clock.now())
    await uow.emit(events_out.pairing_resumed(pairing, on, uow.clock, caused_by))
    log.info("pairing resumed", pairing_id=pairing.id)


async def complete(uow: UnitOfWork, pairing: Pairing, *, on: date, caused_by: Cause = None) -> None:
    """Complete an open pairing: support finished as planned."""
    pairing.complete(on)
    await _finish(uow, pairing, caused_by)


async def end(
    uow: UnitOfWork, pairing: Pairing, *, on: date, reason: PairingEndReason, caused_by: Cause = None
) -> None:
    """End an open pairing early; matching may match the referral again."""
    pairing.end(on, reason)
    await _finish(uow, pairing, caused_by)


async def pause_pairing(
    uow: UnitOfWork, principal: Principal, pairing_id: str, reason: PairingPauseReason
) -> Pairing:
    """A coordinator pauses an active pairing today."""
    pairing = await lock_pairing(uow, principal, pairing_id)
    await pause(uow, pairing, on=uk_today(uow.clock), reason=reason)
    return pairing


async def resume_pairing(uow: UnitOfWork, principal: Principal, pairing_id: str) -> Pairing:
    """A coordinator resumes a paused pairing today."""
    pairing = await lock_pairing(uow, principal, pairing_id)
    await resume(uow, pairing, on=uk_today(uow.clock))
    return pairing


async def complete_pairing(uow: UnitOfWork, principal: Principal, pairing_id: str) -> Pairing:
    """A coordinator completes a pairing today: support finished as planned."""
    pairing = await lock_pairing(uow, principal, pairing_id)
    await complete(uow, pairing, on=uk_today(uow.clock))
    return pairing


async def end_pairing(
    uow: UnitOfWork, principal: Principal, pairing_id: str, reason: PairingEndReason
) -> Pairing:
    """A coordinator ends a pairing early today, with the reason."""
    pairing = await lock_pairing(uow, principal, pairing_id)
    await end(uow, pairing, on=uk_today(uow.clock), reason=reason)
    return pairing


async def _finish(uow: UnitOfWork, pairing: Pairing, caused_by: Cause) -> None:
    await pairings_repo.save_state(uow.session, pairing, at=uow.clock.now())
    attended = await pairings_repo.sessions_attended(uow.session, pairing.id)
    await uow.emit(events_out.pairing_finished(pairing, attended, uow.clock, caused_by))
    log.info("pairing finished", pairing_id=pairing.id, status=pairing.status.value)
