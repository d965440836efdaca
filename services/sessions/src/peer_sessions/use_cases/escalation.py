"""Escalating unacknowledged safeguarding concerns: a periodic check the app runs with
`peer_shared.messaging.periodic.run_periodically`.

Each pass runs in one transaction on the injected clock: concerns overdue for their urgency are raised
again at the next escalation level, in the urgent outbox lane. Rows are locked with SKIP LOCKED, so
several replicas can run the check without raising a concern twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from peer_events.events.safeguarding import Urgency
from peer_sessions import events_out
from peer_sessions.store import concerns_repo, pairings_repo
from peer_shared.logging import get_logger
from peer_shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)
BATCH = 500


async def escalate_overdue(uow: UnitOfWork, intervals: Mapping[Urgency, timedelta]) -> int:
    """Raise overdue concerns again at their next level; returns how many were escalated."""
    now = uow.clock.now()
    escalated = 0
    for concern in await concerns_repo.unacknowledged_for_escalation(uow.session, limit=BATCH):
        if not concern.escalate(now, intervals):
            continue
        await concerns_repo.save_escalation(uow.session, concern)
        pairing = await pairings_repo.get(uow.session, concern.pairing_id)
        assert pairing is not None
        await uow.emit(events_out.concern_raised(pairing, concern, uow.clock))
        log.warning("safeguarding concern escalated", concern_id=concern.id, level=concern.escalation_level)
        escalated += 1
    return escalated
