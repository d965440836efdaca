"""The escalation use case without Postgres: the concern repository is an in-memory stand-in, the unit
of work records what it emits. (The background task, the row locks and the urgent lane are proven on the
real servers in test_sessions_safeguarding.py.)
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest

from peer_events.events.safeguarding import (
    RaisedBy,
    SafeguardingCategory,
    SafeguardingConcernRaised,
    Urgency,
)
from peer_sessions.domain.pairing import Pairing, start_pairing
from peer_sessions.domain.safeguarding import Concern
from peer_sessions.settings import SessionsSettings
from peer_sessions.store import concerns_repo, pairings_repo
from peer_sessions.use_cases.escalation import escalate_overdue
from peer_shared.clock import FixedClock
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_testkit.fakes import RecordingUnitOfWork

RAISED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INTERVALS = SessionsSettings().escalation_intervals()


class ConcernsInMemory:
    """The three repository calls escalation makes, over a dict."""

    def __init__(self, pairing: Pairing, *concerns: Concern) -> None:
        self.pairing = pairing
        self.concerns = {c.id: c for c in concerns}
        self.saved: list[tuple[str, int]] = []

    async def unacknowledged_for_escalation(self, _session: Any, *, limit: int) -> list[Concern]:
        return [c for c in self.concerns.values() if c.acknowledged_at is None][:limit]

    async def save_escalation(self, _session: Any, escalated: Concern) -> None:
        self.saved.append((escalated.id, escalated.escalation_level))

    async def get(self, _session: Any, pairing_id: str, *, for_update: bool = False) -> Pairing | None:
        return self.pairing if pairing_id == self.pairing.id else None


def a_pairing() -> Pairing:
    return start_pairing(
        match_id=f"mat_{uuid.uuid4().hex}",
        referral_id=f"ref_{uuid.uuid4().hex}",
        mentor_id=f"mnt_{uuid.uuid4().hex}",
        condition="t2d",
        programme="t2d-one-to-one",
        started_on=date(2026, 2, 1),
        weeks=16,
        correlation_id=uuid.uuid4(),
    )


def a_concern(pairing: Pairing, urgency: Urgency, **changes: Any) -> Concern:
    values: dict[str, Any] = {
        "id": f"sgc_{uuid.uuid4().hex}",
        "pairing_id": pairing.id,
        "session_id": None,
        "category": SafeguardingCategory.SELF_NEGLECT,
        "urgency": urgency,
        "raised_at": RAISED,
        "raised_by": RaisedBy.MENTOR,
    }
    return Concern(**(values | changes))


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> ConcernsInMemory:
    pairing = a_pairing()
    immediate = a_concern(pairing, Urgency.IMMEDIATE)
    routine = a_concern(pairing, Urgency.ROUTINE)
    already_raised_again = a_concern(pairing, Urgency.IMMEDIATE, escalation_level=2)
    fake = ConcernsInMemory(pairing, immediate, routine, already_raised_again)
    monkeypatch.setattr(concerns_repo, "unacknowledged_for_escalation", fake.unacknowledged_for_escalation)
    monkeypatch.setattr(concerns_repo, "save_escalation", fake.save_escalation)
    monkeypatch.setattr(pairings_repo, "get", fake.get)
    return fake


async def test_only_concerns_overdue_for_their_urgency_are_raised_again_at_the_level_due(
    store: ConcernsInMemory,
) -> None:
    immediate, routine, raised_twice = store.concerns.values()
    # 31 minutes on: an immediate concern is two intervals (15 minutes) overdue; a routine one is not.
    uow = RecordingUnitOfWork(FixedClock(RAISED + timedelta(minutes=31)))

    assert await escalate_overdue(cast(UnitOfWork, uow), INTERVALS) == 1

    assert store.saved == [(immediate.id, 2)]
    [raised] = uow.emitted
    assert isinstance(raised.data, SafeguardingConcernRaised)
    assert (raised.data.concern_id, raised.data.escalation_level) == (immediate.id, 2)
    assert (raised.subject, raised.correlationid) == (store.pairing.id, store.pairing.correlation_id)
    assert (routine.escalation_level, raised_twice.escalation_level) == (0, 2)


async def test_an_acknowledged_concern_is_never_raised_again(store: ConcernsInMemory) -> None:
    for concern in store.concerns.values():
        concern.acknowledged_at = RAISED + timedelta(minutes=1)
    uow = RecordingUnitOfWork(FixedClock(RAISED + timedelta(days=30)))

    assert await escalate_overdue(cast(UnitOfWork, uow), INTERVALS) == 0
    assert uow.emitted == [] and store.saved == []
