"""The escalation and erasure use cases without Postgres: the repositories are in-memory stand-ins, the
unit of work records what it emits, and the clock is one the test sets. (The background task, the row
locks and the internal stream are proven on the real servers in test_concerns_api.py.)
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest

from peer_events.events.groups import GroupConcernRaised
from peer_events.events.safeguarding import RaisedBy, SafeguardingCategory, Urgency
from peer_groups.domain.concerns import Concern
from peer_groups.domain.measures import MemberPlace
from peer_groups.settings import GroupsSettings
from peer_groups.store import concerns_repo, measures_repo
from peer_groups.use_cases.concerns import erase_member_details
from peer_groups.use_cases.escalation import escalate_overdue
from peer_shared.clock import FixedClock
from peer_shared.messaging.unit_of_work import UnitOfWork
from peer_testkit.fakes import RecordingUnitOfWork

RAISED = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
INTERVALS = GroupsSettings().escalation_intervals()
PLACE = MemberPlace(
    cohort_id=f"coh_{uuid.uuid4().hex}",
    referral_id=f"ref_{uuid.uuid4().hex}",
    enrolled_on=date(2026, 5, 1),
    enrolled=True,
    condition="long-covid",
    programme="long-covid-group",
    facilitators=(f"mnt_{uuid.uuid4().hex}",),
    correlation_id=uuid.uuid4(),
)


class ConcernsInMemory:
    """The repository calls escalation and erasure make, over a dict."""

    def __init__(self, *concerns: Concern) -> None:
        self.concerns = {c.id: c for c in concerns}
        self.details = dict.fromkeys(self.concerns, "what was observed")
        self.saved: list[tuple[str, int]] = []

    async def unacknowledged_for_escalation(self, _session: Any, *, limit: int) -> list[Concern]:
        return [c for c in self.concerns.values() if c.acknowledged_at is None][:limit]

    async def save_escalation(self, _session: Any, escalated: Concern) -> None:
        self.saved.append((escalated.id, escalated.escalation_level))

    async def places_of(
        self, _session: Any, referral_id: str, *, cohort_id: str | None = None
    ) -> list[MemberPlace]:
        return [PLACE] if (referral_id, cohort_id) == (PLACE.referral_id, PLACE.cohort_id) else []

    async def erase_details_of_referral(self, _session: Any, referral_id: str, *, at: datetime) -> int:
        erased = [i for i, c in self.concerns.items() if c.referral_id == referral_id and self.details[i]]
        for concern_id in erased:
            self.details[concern_id] = None  # type: ignore[assignment]
        return len(erased)


def a_concern(urgency: Urgency, **changes: Any) -> Concern:
    values: dict[str, Any] = {
        "id": f"sgc_{uuid.uuid4().hex}",
        "cohort_id": PLACE.cohort_id,
        "referral_id": PLACE.referral_id,
        "category": SafeguardingCategory.RISK_TO_SELF,
        "urgency": urgency,
        "raised_at": RAISED,
        "raised_by": RaisedBy.MENTOR,
    }
    return Concern(**(values | changes))


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> ConcernsInMemory:
    immediate = a_concern(Urgency.IMMEDIATE)
    routine = a_concern(Urgency.ROUTINE)
    already_raised_again = a_concern(Urgency.IMMEDIATE, escalation_level=2)
    someone_else = a_concern(Urgency.WITHIN_24_HOURS, referral_id=f"ref_{uuid.uuid4().hex}")
    fake = ConcernsInMemory(immediate, routine, already_raised_again, someone_else)
    monkeypatch.setattr(concerns_repo, "unacknowledged_for_escalation", fake.unacknowledged_for_escalation)
    monkeypatch.setattr(concerns_repo, "save_escalation", fake.save_escalation)
    monkeypatch.setattr(concerns_repo, "erase_details_of_referral", fake.erase_details_of_referral)
    monkeypatch.setattr(measures_repo, "places_of", fake.places_of)
    return fake


def test_the_intervals_are_the_sessions_service_s() -> None:
    assert GroupsSettings().escalation_intervals() == {
        Urgency.IMMEDIATE: timedelta(minutes=15),
        Urgency.WITHIN_24_HOURS: timedelta(hours=4),
        Urgency.ROUTINE: timedelta(days=3),
    }
    assert GroupsSettings(safeguarding_escalate_after_minutes={Urgency.ROUTINE: 60}).escalation_intervals()[
        Urgency.ROUTINE
    ] == timedelta(hours=1)
    with pytest.raises(ValueError, match="positive"):
        GroupsSettings(safeguarding_escalate_after_minutes={Urgency.IMMEDIATE: 0})
    with pytest.raises(ValueError):
        GroupsSettings(safeguarding_check_seconds=0)


async def test_only_concerns_overdue_for_their_urgency_are_raised_again_at_the_level_due(
    store: ConcernsInMemory,
) -> None:
    immediate, routine, raised_twice, _ = store.concerns.values()
    # 31 minutes on: an immediate concern is two intervals (15 minutes) overdue; the others are not.
    uow = RecordingUnitOfWork(FixedClock(RAISED + timedelta(minutes=31)))

    assert await escalate_overdue(cast(UnitOfWork, uow), INTERVALS) == 1

    assert store.saved == [(immediate.id, 2)]
    [raised] = uow.emitted
    assert isinstance(raised.data, GroupConcernRaised)
    assert (raised.data.concern_id, raised.data.escalation_level) == (immediate.id, 2)
    assert (raised.data.cohort_id, raised.data.referral_id) == (PLACE.cohort_id, PLACE.referral_id)
    assert (raised.subject, raised.correlationid) == (PLACE.cohort_id, PLACE.correlation_id)
    assert (raised.condition, raised.programme) == (PLACE.condition, PLACE.programme)
    assert (routine.escalation_level, raised_twice.escalation_level) == (0, 2)


async def test_moving_the_clock_on_raises_each_concern_again_once_per_interval(
    store: ConcernsInMemory,
) -> None:
    clock = FixedClock(RAISED + timedelta(minutes=10))
    uow = RecordingUnitOfWork(clock)
    immediate = next(iter(store.concerns.values()))
    for _ in range(2):  # nothing due yet, however often the check runs
        assert await escalate_overdue(cast(UnitOfWork, uow), INTERVALS) == 0
    clock.advance(timedelta(minutes=6))  # 16 minutes: level 1 is due
    assert await escalate_overdue(cast(UnitOfWork, uow), INTERVALS) == 1
    assert await escalate_overdue(cast(UnitOfWork, uow), INTERVALS) == 0
    assert [(e.data.concern_id, e.data.escalation_level) for e in uow.emitted] == [(immediate.id, 1)]


async def test_an_acknowledged_concern_is_never_raised_again(store: ConcernsInMemory) -> None:
    for concern in store.concerns.values():
        concern.acknowledged_at = RAISED + timedelta(minutes=1)
    uow = RecordingUnitOfWork(FixedClock(RAISED + timedelta(days=30)))

    assert await escalate_overdue(cast(UnitOfWork, uow), INTERVALS) == 0
    assert uow.emitted == [] and store.saved == []


async def test_erasure_deletes_the_member_s_details_only_and_publishes_nothing(
    store: ConcernsInMemory,
) -> None:
    uow = RecordingUnitOfWork(FixedClock(RAISED))
    assert await erase_member_details(cast(UnitOfWork, uow), PLACE.referral_id) == 3
    assert list(store.details.values()) == [None, None, None, "what was observed"]
    assert await erase_member_details(cast(UnitOfWork, uow), PLACE.referral_id) == 0
    assert uow.emitted == []
