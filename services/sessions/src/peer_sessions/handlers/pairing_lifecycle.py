"""Changing a pairing's state and publishing the change, for HTTP routes and event subscribers alike.

Callers hold the pairing row lock (and the mentor lock before it, when they take one). Each function
applies the domain transition, saves it, and stages the lifecycle event in the same transaction.
"""

from __future__ import annotations

from datetime import date

from peer_sessions.domain.pairing import Pairing
from peer_sessions.handlers import published_events as published
from peer_sessions.handlers.published_events import Cause
from peer_sessions.store import pairings
from peer_shared.contracts.events.sessions import PairingEndReason, PairingPauseReason
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
    await pairings.save_state(uow.session, pairing, at=uow.clock.now())
    await uow.emit(published.pairing_paused(pairing, uow.clock, caused_by))
    log.info("pairing paused", pairing_id=pairing.id, reason=reason.value)


async def resume(uow: UnitOfWork, pairing: Pairing, *, on: date, caused_by: Cause = None) -> None:
    """Resume a paused pairing."""
    pairing.resume()
    await pairings.save_state(uow.session, pairing, at=uow.clock.now())
    await uow.emit(published.pairing_resumed(pairing, on, uow.clock, caused_by))
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


async def _finish(uow: UnitOfWork, pairing: Pairing, caused_by: Cause) -> None:
    await pairings.save_state(uow.session, pairing, at=uow.clock.now())
    attended = await pairings.sessions_attended(uow.session, pairing.id)
    await uow.emit(published.pairing_finished(pairing, attended, uow.clock, caused_by))
    log.info("pairing finished", pairing_id=pairing.id, status=pairing.status.value)
