"""The report section of one group programme over a period: cohorts run, people enrolled, the wait for a
first group, attendance, how places ended, and the outcome measures (`group_outcomes`).

Each figure is counted by when its own event fell, as in the one-to-one figures: cohorts started in the
period, places taken in it, sessions held in it, places ended in it. A place is one member in one cohort
(someone a coordinator moved to a later cohort has two, the first ended by `coordinator-decision`).
"""

from __future__ import annotations

from peer_events.events.groups import LeaveReason
from peer_outcomes.domain.activity import counts
from peer_outcomes.domain.group_facts import GroupFacts
from peer_outcomes.domain.group_outcomes import measure_figures
from peer_outcomes.domain.periods import Period
from peer_outcomes.domain.statistics import median, percentile
from peer_outcomes.domain.tree import Constraint, Count, Derived, Node, Path, Tree, partition, relocate

DROPPED_OUT = (LeaveReason.STOPPED_ATTENDING, LeaveReason.WITHDREW, LeaveReason.NOT_COMPLETED)
"""The endings that count as drop-out; a coordinator moving someone on is neither completion nor drop-out."""


def _wait_days(facts: GroupFacts, period: Period) -> list[int]:
    """Days from joining the waitlist to the first group session attended, for those first attending in
    the period (from the earliest waitlist day over their places)."""
    days = []
    for referral_id, first in facts.first_attended.items():
        waitlisted = facts.waitlisted_on(referral_id)
        if first in period and waitlisted is not None:
            days.append((first - waitlisted).days)
    return days


def _waits(days: list[int]) -> dict[str, Node]:
    at: Path = ("wait_to_first_session_days", "n")
    return {
        "n": Count(len(days)),
        "median": Derived(_round(median(days), 1), (at,)),
        "p90": Derived(_round(percentile(days, 0.9), 1), (at,)),
    }


def group_section(facts: GroupFacts, period: Period, title: str) -> tuple[Tree, list[Constraint]]:
    """One group programme's block (paths relative to it) and the additive relations inside it."""
    held = [s for s in facts.sessions if s.held_on in period]
    attendances = sum(s.attended for s in held)
    # The register lists every member enrolled on the day exactly once (the groups service's rule), so
    # its size is the number of members the session was held for.
    member_sessions = sum(s.attended + s.apologies + s.absent for s in held)
    left = [p for p in facts.places if p.left_on in period]
    by_reason = counts((r.value for r in LeaveReason), (p.leave_reason for p in left))
    dropped_out = sum(by_reason[r.value].value for r in DROPPED_OUT)
    measures, measure_constraints = measure_figures(facts.measures, period)
    leavers: Path = ("leavers",)
    tree: Tree = {
        "title": title,
        "delivery": "group",
        "cohorts_started": Count(sum(1 for c in facts.cohorts if c.started_on in period)),
        "cohorts_finished": Count(sum(1 for c in facts.cohorts if c.finished_on in period)),
        "people_enrolled": Count(len({p.referral_id for p in facts.places if p.enrolled_on in period})),
        "wait_to_first_session_days": _waits(_wait_days(facts, period)),
        "sessions_held": Count(len(held)),
        "sessions_cancelled": Count(sum(1 for day in facts.cancelled_on if day in period)),
        "attendances": Count(attendances),
        "member_sessions": Count(member_sessions),
        "attendance_rate": Derived(
            _round(attendances / member_sessions, 3) if member_sessions else None,
            (("attendances",), ("member_sessions",)),
        ),
        "leavers": Count(len(left)),
        "leavers_by_reason": by_reason,
        "completion_rate": Derived(
            _round(by_reason[LeaveReason.COMPLETED.value].value / len(left), 3) if left else None,
            (leavers, ("leavers_by_reason", LeaveReason.COMPLETED.value)),
        ),
        "dropped_out": Count(dropped_out),
        "drop_out_rate": Derived(
            _round(dropped_out / len(left), 3) if left else None, (leavers, ("dropped_out",))
        ),
        "measures": relocate(measures, ("measures",)),
    }
    constraints = [
        partition(leavers, by_reason, ("leavers_by_reason",)),
        Constraint(("dropped_out",), tuple(("leavers_by_reason", r.value) for r in DROPPED_OUT)),
        *(c.under(("measures",)) for c in measure_constraints),
    ]
    return tree, constraints


def _round(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)
