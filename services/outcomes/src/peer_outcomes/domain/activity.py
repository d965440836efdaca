"""Activity figures for a group of mentees over a period: referrals, triage, matching, sessions, endings.

Each figure is counted by when its own event fell: referrals received in the period, accepted in it,
first matched in it, and so on. Times are in days from the referral's receipt.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from peer_events.events.referrals import ReferralSource, RejectionReason, WithdrawalReason
from peer_events.events.sessions import PairingEndReason
from peer_outcomes.domain.facts import MenteeFacts
from peer_outcomes.domain.periods import Period
from peer_outcomes.domain.statistics import median, percentile
from peer_outcomes.domain.tree import Constraint, Count, Derived, Node, Path, Tree, partition

WAIT_BINS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7", 0, 7),
    ("8-14", 8, 14),
    ("15-28", 15, 28),
    ("29-56", 29, 56),
    ("57+", 57, None),
)
"""Bands of days waited, for the time-to-match chart."""


def counts(keys: Iterable[str], found: Iterable[str | None]) -> dict[str, Count]:
    """A count per key, every key present (zero included) so no group's shape reveals anything."""
    tally = Counter(found)
    return {key: Count(tally[key]) for key in keys}


def _band(days: int) -> str:
    return next(name for name, low, high in WAIT_BINS if days >= low and (high is None or days <= high))


def _waits(days: Sequence[int], at: Path, *, bands: bool) -> tuple[dict[str, Node], list[Constraint]]:
    block: dict[str, Node] = {
        "n": Count(len(days)),
        "median": Derived(_round(median(days), 1), ((*at, "n"),)),
        "p90": Derived(_round(percentile(days, 0.9), 1), ((*at, "n"),)),
    }
    constraints = []
    if bands:
        distribution = counts((name for name, _, _ in WAIT_BINS), (_band(d) for d in days))
        block["distribution"] = distribution
        constraints.append(partition((*at, "n"), distribution, (*at, "distribution")))
    return block, constraints


def activity(
    mentees: Sequence[MenteeFacts], period: Period, referrers: Sequence[str]
) -> tuple[Tree, list[Constraint]]:
    """The activity block (paths relative to it) and the additive relations inside it."""
    received = [m for m in mentees if m.received_on in period]
    rejected = [m for m in mentees if m.rejected_on in period]
    withdrawn = [m for m in mentees if m.withdrawn_on in period]
    matched = [m for m in mentees if m.first_matched_on in period]
    started = [m for m in mentees if m.sessions.first_attended_on in period]
    seen = [m for m in mentees if m.sessions.attended_in_period > 0]
    endings = [p for m in mentees for p in m.pairings if p.ended_on in period]
    delivered = sum(m.sessions.attended_in_period for m in mentees)
    missed = sum(m.sessions.missed_in_period for m in mentees)
    match_waits = [
        (m.first_matched_on - m.received_on).days for m in matched if m.first_matched_on and m.received_on
    ]
    session_waits = [
        (m.sessions.first_attended_on - m.received_on).days
        for m in started
        if m.sessions.first_attended_on and m.received_on
    ]
    to_match, match_constraints = _waits(match_waits, ("time_to_match_days",), bands=True)
    to_session, _ = _waits(session_waits, ("time_to_first_session_days",), bands=False)
    by_source = counts((s.value for s in ReferralSource), (m.source for m in received))
    by_referrer = counts(referrers, (m.referrer_ods_code for m in received))
    by_month = counts(period.months(), (m.received_on.strftime("%Y-%m") for m in received if m.received_on))
    rejections = counts((r.value for r in RejectionReason), (m.rejection_reason for m in rejected))
    withdrawals = counts((r.value for r in WithdrawalReason), (m.withdrawal_reason for m in withdrawn))
    early = counts((r.value for r in PairingEndReason), (p.end_reason for p in endings))
    mentors: frozenset[str] = frozenset().union(*(m.sessions.mentors_in_period for m in mentees))
    tree: Tree = {
        "referrals_received": Count(len(received)),
        "received_by_source": by_source,
        "received_by_referrer": by_referrer,
        "received_by_month": by_month,
        "accepted": Count(sum(1 for m in mentees if m.accepted_on in period)),
        "rejected": Count(len(rejected)),
        "rejected_by_reason": rejections,
        "withdrawn": Count(len(withdrawn)),
        "withdrawn_by_reason": withdrawals,
        "matched": Count(len(matched)),
        "time_to_match_days": to_match,
        "time_to_first_session_days": to_session,
        "mentors_active": Count(len(mentors), additive=False),
        "mentees_seen": Count(len(seen)),
        "sessions_delivered": Count(delivered),
        "sessions_missed": Count(missed),
        "attendance_rate": Derived(
            _round(delivered / (delivered + missed), 3) if delivered + missed else None,
            (("sessions_delivered",), ("sessions_missed",)),
        ),
        "sessions_per_mentee": Derived(
            _round(delivered / len(seen), 2) if seen else None, (("sessions_delivered",), ("mentees_seen",))
        ),
        "completions": Count(sum(1 for m in mentees for p in m.pairings if p.completed_on in period)),
        "early_endings": Count(len(endings)),
        "early_endings_by_reason": early,
    }
    constraints = [
        partition(("referrals_received",), by_source, ("received_by_source",)),
        partition(("referrals_received",), by_referrer, ("received_by_referrer",)),
        partition(("referrals_received",), by_month, ("received_by_month",)),
        partition(("rejected",), rejections, ("rejected_by_reason",)),
        partition(("withdrawn",), withdrawals, ("withdrawn_by_reason",)),
        partition(("early_endings",), early, ("early_endings_by_reason",)),
        *match_constraints,
    ]
    return tree, constraints


def _round(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)
