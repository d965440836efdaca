"""The sessions service's rules as plain Python: no database, no broker."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from peer_events.codes import SessionMode, Topic
from peer_events.events.referrals import WithdrawalReason
from peer_events.events.safeguarding import (
    RaisedBy,
    SafeguardingAction,
    SafeguardingCategory,
    Urgency,
)
from peer_events.events.sessions import (
    Attendance,
    GoalProgress,
    PairingEndReason,
    PairingPauseReason,
)
from peer_sessions.domain.access import mentor_of, require_pairing_access, staff_id_of
from peer_sessions.domain.goals import GoalPlan, GoalReview, check_plans, check_reviews
from peer_sessions.domain.mentor_availability import MentorState, MentorStatus, supersedes
from peer_sessions.domain.overview import PairingActivity
from peer_sessions.domain.pairing import Pairing, PairingStatus, end_reason_for_withdrawal, start_pairing
from peer_sessions.domain.safeguarding import Concern
from peer_sessions.domain.session_rules import (
    BookedTime,
    SessionRecord,
    check_overlap,
    check_record,
    next_revision,
    next_session_number,
)
from peer_shared.auth import Principal, Role
from peer_shared.refusals import NotAllowed, Refusal

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
STARTED = date(2025, 5, 1)
MENTOR = "mnt_" + "1" * 32
DNA = Attendance.MENTEE_DID_NOT_ATTEND


def record(**changes: object) -> SessionRecord:
    values: dict[str, object] = {
        "starts_at": NOW - timedelta(days=2),
        "duration_minutes": 60,
        "mode": SessionMode.CAFE,
        "attendance": Attendance.ATTENDED,
        "topics": (Topic.DIET,),
        "notes": "talked about breakfast",
    }
    return SessionRecord(**(values | changes))  # type: ignore[arg-type]


def refusal(call: object) -> str:
    with pytest.raises(Refusal) as caught:
        call()  # type: ignore[operator]
    return caught.value.code


@pytest.mark.parametrize(
    ("changes", "goals_set", "code"),
    [
        ({"duration_minutes": 0}, 0, "duration-out-of-range"),
        ({"duration_minutes": 241}, 0, "duration-out-of-range"),
        ({"duration_minutes": 500}, 0, "duration-out-of-range"),
        ({"duration_minutes": None}, 0, "duration-required"),
        ({"starts_at": NOW + timedelta(days=1, seconds=1)}, 0, "session-in-future"),
        ({"starts_at": datetime(2025, 4, 30, 12, 0, tzinfo=UTC)}, 0, "session-before-pairing"),
        ({"starts_at": datetime(2025, 6, 1, 12, 0)}, 0, "start-time-without-timezone"),
        ({"topics": (Topic.DIET, Topic.DIET)}, 0, "topic-repeated"),
        ({"notes": "x" * 10_001}, 0, "notes-too-long"),
        ({"attendance": Attendance.CANCELLED_BY_MENTEE}, 0, "duration-not-applicable"),
        ({"attendance": DNA, "duration_minutes": None}, 0, "content-without-attendance"),
        ({"attendance": DNA, "duration_minutes": None, "topics": ()}, 1, "content-without-attendance"),
    ],
)  # fmt: skip
def test_a_record_breaking_a_rule_is_refused_with_its_reason(
    changes: dict[str, object], goals_set: int, code: str
) -> None:
    bad = record(**changes)
    assert (
        refusal(
            lambda: check_record(
                bad, pairing_started_on=STARTED, now=NOW, goals_set=goals_set, goals_reviewed=0
            )
        )
        == code
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"duration_minutes": 1},
        {"duration_minutes": 240},
        {"starts_at": NOW + timedelta(days=1)},  # logged the evening before: allowed
        {"starts_at": datetime(2025, 5, 1, 0, 30, tzinfo=UTC)},  # the pairing's first day (UK time)
        {"attendance": Attendance.CANCELLED_BY_MENTOR, "duration_minutes": None, "topics": ()},
    ],
)
def test_records_within_the_rules_are_accepted(changes: dict[str, object]) -> None:
    check_record(record(**changes), pairing_started_on=STARTED, now=NOW, goals_set=0, goals_reviewed=0)


def test_sessions_that_took_place_may_not_overlap_but_may_touch() -> None:
    ten = NOW.replace(hour=10)
    booked = [BookedTime("ses_a", ten, ten + timedelta(hours=1))]
    overlapping = record(starts_at=ten + timedelta(minutes=59), duration_minutes=30)
    assert refusal(lambda: check_overlap(overlapping, booked)) == "session-overlaps"
    check_overlap(record(starts_at=ten + timedelta(hours=1), duration_minutes=30), booked)
    check_overlap(record(starts_at=ten - timedelta(minutes=30), duration_minutes=30), booked)
    missed = record(
        starts_at=ten, duration_minutes=None, attendance=Attendance.CANCELLED_BY_MENTEE, topics=()
    )
    check_overlap(missed, booked)


def test_a_pairing_holds_sixty_sessions_and_a_session_a_hundred_revisions() -> None:
    assert next_session_number(59) == 60
    assert refusal(lambda: next_session_number(60)) == "session-limit"
    assert next_revision(99) == 100
    assert refusal(lambda: next_revision(100)) == "revision-limit"


PLAN = GoalPlan(Topic.PHYSICAL_ACTIVITY, "walk to the shops", "20 minutes", "mornings", "3 times a week", 7)


@pytest.mark.parametrize(
    ("reviews", "code"),
    [
        ([GoalReview("gol_unknown", GoalProgress.PARTLY, 6)], "goal-not-in-pairing"),
        ([GoalReview("gol_a", GoalProgress.DONE, 9)] * 2, "goal-reviewed-twice"),
        ([GoalReview("gol_a", GoalProgress.REVISED, 5)], "revised-goal-missing"),
        ([GoalReview("gol_a", GoalProgress.PARTLY, 5, PLAN)], "revised-goal-unexpected"),
        ([GoalReview("gol_a", GoalProgress.PARTLY, 11)], "confidence-out-of-range"),
    ],
)  # fmt: skip
def test_bad_goal_reviews_are_refused(reviews: list[GoalReview], code: str) -> None:
    assert refusal(lambda: check_reviews(reviews, {"gol_a"})) == code


def test_goal_plans_need_wording_and_a_confidence_of_zero_to_ten() -> None:
    check_plans([PLAN])
    assert (
        refusal(lambda: check_plans([GoalPlan(Topic.DIET, "  ", None, None, None, 5)]))
        == "goal-without-wording"
    )
    assert (
        refusal(lambda: check_plans([GoalPlan(Topic.DIET, "eat", None, None, None, -1)]))
        == "confidence-out-of-range"
    )
    assert refusal(lambda: check_plans([PLAN] * 21)) == "too-many-goals"


def pairing() -> Pairing:
    return start_pairing(
        match_id="mat_" + "2" * 32,
        referral_id="ref_" + "3" * 32,
        mentor_id=MENTOR,
        condition="t2d",
        programme="t2d-one-to-one",
        started_on=STARTED,
        weeks=16,
        correlation_id=uuid.uuid4(),
    )


def test_pairing_lifecycle_moves_only_along_its_allowed_paths() -> None:
    p = pairing()
    assert p.planned_end_on == date(2025, 8, 21)
    assert refusal(p.resume) == "pairing-not-paused"
    p.pause(date(2025, 6, 1), PairingPauseReason.MENTEE_UNAVAILABLE)
    assert refusal(p.require_active) == "pairing-not-active"
    p.resume()
    p.end(date(2025, 6, 2), PairingEndReason.NO_ENGAGEMENT)
    assert p.status is PairingStatus.ENDED
    assert refusal(lambda: p.complete(date(2025, 6, 3))) == "pairing-finished"


def test_withdrawal_reasons_map_to_end_reasons() -> None:
    assert end_reason_for_withdrawal(WithdrawalReason.MOVED_AWAY) is PairingEndReason.MOVED_AWAY
    assert end_reason_for_withdrawal(WithdrawalReason.UNABLE_TO_CONTACT) is PairingEndReason.NO_ENGAGEMENT
    assert end_reason_for_withdrawal(WithdrawalReason.MENTEE_REQUEST) is PairingEndReason.MENTEE_WITHDREW


def test_newest_mentor_news_wins_and_leaving_is_final() -> None:
    paused = MentorState(MentorStatus.PAUSED, NOW)
    assert supersedes(paused, None)
    assert not supersedes(MentorState(MentorStatus.ACTIVE, NOW - timedelta(hours=1)), paused)  # stale
    assert not supersedes(paused, paused)  # the same news again (another condition's copy)
    assert supersedes(MentorState(MentorStatus.ACTIVE, NOW + timedelta(hours=1)), paused)
    left = MentorState(MentorStatus.LEFT, NOW - timedelta(days=1))
    assert supersedes(left, paused)  # leaving wins even when heard late
    assert not supersedes(MentorState(MentorStatus.ACTIVE, NOW + timedelta(days=1)), left)


def test_an_unacknowledged_concern_escalates_once_per_interval_until_acknowledged() -> None:
    intervals = {Urgency.IMMEDIATE: timedelta(minutes=15)}
    concern = Concern(
        "sgc_" + "4" * 32,
        "pai_x",
        None,
        SafeguardingCategory.SELF_NEGLECT,
        Urgency.IMMEDIATE,
        NOW,
        RaisedBy.MENTOR,
    )
    assert not concern.escalate(NOW + timedelta(minutes=14), intervals)
    assert concern.escalate(NOW + timedelta(minutes=15), intervals)
    assert concern.escalation_level == 1
    assert not concern.escalate(NOW + timedelta(minutes=20), intervals)
    assert concern.escalate(NOW + timedelta(minutes=46), intervals)
    assert concern.escalation_level == 3  # a check that ran late catches up in one step
    concern.acknowledge(NOW + timedelta(hours=1), SafeguardingAction.GP_INFORMED)
    assert not concern.escalate(NOW + timedelta(hours=5), intervals)
    assert (
        refusal(lambda: concern.acknowledge(NOW, SafeguardingAction.MONITORING))
        == "concern-already-acknowledged"
    )


def principal(role: Role, subject: str) -> Principal:
    return Principal(role, subject, "issuer", "jti", NOW)


def test_a_mentor_acts_only_on_their_own_pairings_and_staff_on_all() -> None:
    mentor = principal(Role.MENTOR, MENTOR)
    require_pairing_access(mentor, pairing_id="pai_x", mentor_id=MENTOR)
    with pytest.raises(NotAllowed, match="belongs to another mentor"):
        require_pairing_access(mentor, pairing_id="pai_x", mentor_id="mnt_" + "9" * 32)
    require_pairing_access(principal(Role.COORDINATOR, "alice"), pairing_id="pai_x", mentor_id=MENTOR)
    assert refusal(lambda: mentor_of(principal(Role.MENTOR, "bob"))) == "mentor-subject-invalid"


def test_staff_ids_are_stable_pseudonyms_never_names() -> None:
    staff = "usr_" + "5" * 32
    assert staff_id_of(principal(Role.COORDINATOR, staff)) == staff
    derived = staff_id_of(principal(Role.COORDINATOR, "alice.smith"))
    assert derived == staff_id_of(principal(Role.COORDINATOR, "alice.smith"))
    assert derived.startswith("usr_") and "alice" not in derived


def test_attendance_rate_is_attended_over_logged() -> None:
    assert PairingActivity(0, 0, None).attendance_rate is None
    assert PairingActivity(3, 2, NOW).attendance_rate == 0.667
