"""The group programme's rules without servers: waitlist positions and the next-cohort proposal,
runs of absences and follow-ups, and who completes a cohort."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from peer_events.events.groups import CancellationReason, Presence
from peer_groups.domain import attendance
from peer_groups.domain.group_session import SessionRecord, SessionStatus, StoredSession
from peer_groups.domain.waitlist import Entry, EntryStatus, Opening, positions, proposal

A = Presence.ATTENDED
X = Presence.ABSENT
P = Presence.APOLOGIES
DAY = date(2026, 6, 1)


def entry(name: str, days_before: int, **changes: object) -> Entry:
    values: dict[str, object] = {
        "referral_id": f"ref_{name}",
        "programme": "long-covid-group",
        "condition": "long-covid",
        "waitlisted_on": DAY - timedelta(days=days_before),
        "correlation_id": uuid.uuid4(),
    }
    return Entry(**(values | changes))  # type: ignore[arg-type]


def session(
    number: int, on: date, register: dict[str, Presence] | None, *, held: bool = True
) -> StoredSession:
    record = SessionRecord(
        status=SessionStatus.HELD if held else SessionStatus.CANCELLED,
        held_on=on,
        facilitators=("mnt_x",),
        register=register if held else None,
        cancel_reason=None if held else CancellationReason.VENUE_UNAVAILABLE,
    )
    return StoredSession(id=f"gss_{number}", cohort_id="coh_x", number=number, revision=1, record=record)


def test_the_line_is_by_waitlist_day_then_referral_id_and_takes_the_earliest_free_places() -> None:
    waiting = [entry("d", 1), entry("b", 5), entry("c", 5), entry("a", 9)]
    later = Opening("coh_later", DAY + timedelta(days=60), 5)
    sooner = Opening("coh_sooner", DAY + timedelta(days=14), 2)

    lines = positions(waiting, [], [later, sooner])

    assert [(p.referral_id, p.position, p.cohort_id) for p in lines] == [
        ("ref_a", 1, "coh_sooner"),
        ("ref_b", 2, "coh_sooner"),
        ("ref_c", 3, "coh_later"),
        ("ref_d", 4, "coh_later"),
    ]
    assert [p.expected_start for p in lines] == [sooner.starts_on] * 2 + [later.starts_on] * 2


def test_people_enrolled_in_a_cohort_not_yet_started_keep_their_place_and_its_start() -> None:
    enrolled = entry("a", 9, status=EntryStatus.ENROLLED, cohort_id="coh_open")
    start = DAY + timedelta(days=7)

    lines = positions([entry("b", 20), entry("c", 1)], [(enrolled, start)], [Opening("coh_open", start, 0)])

    assert [(p.referral_id, p.position, p.expected_start, p.cohort_id) for p in lines] == [
        ("ref_b", 1, None, None),
        ("ref_a", 2, start, "coh_open"),
        ("ref_c", 3, None, None),
    ]


@pytest.mark.parametrize(("waiting", "needed"), [(5, False), (6, True)])
def test_a_next_cohort_is_proposed_once_enough_wait_without_a_place(waiting: int, needed: bool) -> None:
    lines = positions([entry(str(n), n) for n in range(waiting + 2)], [], [Opening("coh_x", DAY, 2)])

    found = proposal(lines, propose_at=6, latest_start=DAY, planned_sessions=8, cadence_days=14)

    assert (found.needed, found.waiting_without_place) == (needed, waiting)
    assert found.suggested_starts_on == DAY + timedelta(days=112)
    no_cohort = proposal(lines, propose_at=6, latest_start=None, planned_sessions=8, cadence_days=14)
    assert no_cohort.suggested_starts_on is None


def test_only_absences_in_a_row_at_the_end_make_a_run_and_apologies_break_it() -> None:
    assert attendance.absence_run([X, X, A, X, X]) == 2
    assert attendance.absence_run([X, X, P]) == 0
    assert attendance.absence_run([]) == 0


def test_counts_take_held_sessions_by_date_and_follow_ups_count_only_after_the_last_cleared() -> None:
    sessions = [
        session(1, DAY, {"ref_a": X, "ref_b": A}),
        session(3, DAY + timedelta(days=28), {"ref_a": X, "ref_b": P}),
        session(2, DAY + timedelta(days=14), None, held=False),
        session(4, DAY + timedelta(days=7), {"ref_a": X, "ref_b": X}),  # recorded late
    ]
    held = attendance.held_in_order(sessions)

    assert [s.number for s in held] == [1, 4, 3]
    assert attendance.attendance_of("ref_a", held) == attendance.MemberAttendance(0, 0, 3, 3)
    assert attendance.attendance_of("ref_b", held) == attendance.MemberAttendance(1, 1, 1, 0)
    assert attendance.needs_follow_up("ref_a", held, 2, None)
    assert not attendance.needs_follow_up("ref_a", held, 2, DAY + timedelta(days=7))
    assert not attendance.needs_follow_up("ref_b", held, 1, None)


@pytest.mark.parametrize(
    ("attended", "held", "done"),
    [(6, 8, True), (5, 8, False), (3, 4, True), (2, 3, False), (0, 0, False), (1, 1, True)],
)
def test_completing_takes_the_programmes_share_of_the_sessions_held(
    attended: int, held: int, done: bool
) -> None:
    assert attendance.completed(attended, held, 0.75) is done
