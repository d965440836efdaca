"""Finding the pairing (or session) a request is about, and checking that the caller may act on it."""

from __future__ import annotations

from peer_sessions.domain.access import require_pairing_access
from peer_sessions.domain.pairing import Pairing
from peer_sessions.domain.session_rules import StoredSession
from peer_sessions.store import pairings_repo, session_log_repo
from peer_sessions.store.locks_repo import lock_mentor
from peer_shared.auth import Principal
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_shared.refusals import NotFound


async def lock_pairing(uow: UnitOfWork, principal: Principal, pairing_id: str) -> Pairing:
    """The caller's pairing, locked for the transaction: the mentor first, then the row."""
    found = await visible_pairing(uow, principal, pairing_id)
    await lock_mentor(uow.session, found.mentor_id)
    pairing = await pairings_repo.get(uow.session, pairing_id, for_update=True)
    assert pairing is not None  # pairings are never deleted
    return pairing


async def lock_active_pairing(uow: UnitOfWork, principal: Principal, pairing_id: str) -> Pairing:
    """The caller's pairing, locked, and active (sessions are only logged on active pairings)."""
    pairing = await lock_pairing(uow, principal, pairing_id)
    pairing.require_active()
    return pairing


async def visible_pairing(uow: UnitOfWork, principal: Principal, pairing_id: str) -> Pairing:
    """A pairing the caller may see: any for a coordinator, only their own for a mentor."""
    pairing = await pairings_repo.get(uow.session, pairing_id)
    if pairing is None:
        raise NotFound("pairing-not-found", f"no pairing {pairing_id}")
    require_pairing_access(principal, pairing_id=pairing.id, mentor_id=pairing.mentor_id)
    return pairing


async def visible_session(uow: UnitOfWork, principal: Principal, session_id: str) -> StoredSession:
    """A session the caller may see: one in a pairing they may see."""
    found = await session_log_repo.get(uow.session, session_id)
    if found is None:
        raise NotFound("session-not-found", f"no session {session_id}")
    await visible_pairing(uow, principal, found.pairing_id)
    return found
