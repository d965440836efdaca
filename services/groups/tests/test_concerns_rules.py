"""The safeguarding rules for group members as plain Python: acknowledgement, escalation, details."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from peer_events.events.safeguarding import (
    RaisedBy,
    SafeguardingAction,
    SafeguardingCategory,
    Urgency,
)
from peer_groups.domain.concerns import (
    MAX_DETAILS_CHARS,
    MAX_ESCALATION_LEVEL,
    Concern,
    ConcernProblem,
    ConcernStatus,
    check_details,
    raised_by_role,
)
from peer_shared.refusals import Conflict, Invalid

RAISED = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
INTERVALS = {
    Urgency.IMMEDIATE: timedelta(minutes=15),
    Urgency.WITHIN_24_HOURS: timedelta(hours=4),
    Urgency.ROUTINE: timedelta(days=3),
}


def a_concern(urgency: Urgency = Urgency.IMMEDIATE, **changes: Any) -> Concern:
    values: dict[str, Any] = {
        "id": "sgc_" + "1" * 32,
        "cohort_id": "coh_" + "2" * 32,
        "referral_id": "ref_" + "3" * 32,
        "category": SafeguardingCategory.RISK_TO_SELF,
        "urgency": urgency,
        "raised_at": RAISED,
        "raised_by": RaisedBy.MENTOR,
    }
    return Concern(**(values | changes))


def test_a_concern_is_raised_again_once_per_interval_of_its_urgency() -> None:
    concern = a_concern()
    assert not concern.escalate(RAISED + timedelta(minutes=14, seconds=59), INTERVALS)
    assert concern.escalate(RAISED + timedelta(minutes=15), INTERVALS)
    assert concern.escalation_level == 1
    assert not concern.escalate(RAISED + timedelta(minutes=29), INTERVALS)  # level 1 already raised
    assert concern.escalate(RAISED + timedelta(minutes=46), INTERVALS)  # missed a check: straight to 3
    assert concern.escalation_level == 3


@pytest.mark.parametrize(
    ("urgency", "after", "level"),
    [
        (Urgency.IMMEDIATE, timedelta(minutes=31), 2),
        (Urgency.WITHIN_24_HOURS, timedelta(minutes=31), 0),
        (Urgency.WITHIN_24_HOURS, timedelta(hours=8), 2),
        (Urgency.ROUTINE, timedelta(hours=8), 0),
        (Urgency.ROUTINE, timedelta(days=3), 1),
    ],
)
def test_each_urgency_has_its_own_interval(urgency: Urgency, after: timedelta, level: int) -> None:
    concern = a_concern(urgency)
    assert concern.escalate(RAISED + after, INTERVALS) is (level > 0)
    assert concern.escalation_level == level


def test_the_level_never_passes_the_contract_s_limit() -> None:
    concern = a_concern()
    assert concern.escalate(RAISED + timedelta(days=365), INTERVALS)
    assert concern.escalation_level == MAX_ESCALATION_LEVEL
    assert not concern.escalate(RAISED + timedelta(days=730), INTERVALS)


def test_an_acknowledged_concern_stops_escalating_and_cannot_be_acknowledged_twice() -> None:
    concern = a_concern()
    assert concern.status is ConcernStatus.OPEN
    concern.acknowledge(RAISED + timedelta(minutes=5), SafeguardingAction.GP_INFORMED)
    assert concern.status is ConcernStatus.ACKNOWLEDGED
    assert concern.action is SafeguardingAction.GP_INFORMED
    assert not concern.escalate(RAISED + timedelta(days=30), INTERVALS)
    assert concern.escalation_level == 0
    with pytest.raises(Conflict) as refused:
        concern.acknowledge(RAISED + timedelta(minutes=6), SafeguardingAction.MONITORING)
    assert refused.value.code == ConcernProblem.ALREADY_ACKNOWLEDGED
    assert concern.action is SafeguardingAction.GP_INFORMED


def test_details_are_optional_and_limited_in_length() -> None:
    check_details(None)
    check_details("x" * MAX_DETAILS_CHARS)
    with pytest.raises(Invalid) as refused:
        check_details("x" * (MAX_DETAILS_CHARS + 1))
    assert refused.value.code == ConcernProblem.DETAILS_TOO_LONG
    assert refused.value.fields[0].field == "body.details"


def test_a_facilitator_raises_as_mentor_and_anyone_else_as_coordinator() -> None:
    assert raised_by_role(True) is RaisedBy.MENTOR
    assert raised_by_role(False) is RaisedBy.COORDINATOR
