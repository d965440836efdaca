"""Plain-English names for report measures and groups."""

from __future__ import annotations

from peer_events.codes import ETHNIC_CATEGORY_LABELS, EthnicCategory

DIMENSION_TITLES = {
    "programme": "Programme",
    "condition": "Condition",
    "locality": "Locality",
    "ethnic_category": "Ethnic category",
}

MEASURE_LABELS = {
    "referrals_received": "Referrals received",
    "accepted": "Accepted at triage",
    "rejected": "Rejected at triage",
    "withdrawn": "Withdrawn",
    "matched": "Matched with a mentor (first match)",
    "time_to_match_days.median": "Days from referral to match: median",
    "time_to_match_days.p90": "Days from referral to match: 90th percentile",
    "time_to_first_session_days.median": "Days from referral to first session: median",
    "time_to_first_session_days.p90": "Days from referral to first session: 90th percentile",
    "mentors_active": "Mentors who held sessions",
    "mentees_seen": "Mentees who attended a session",
    "sessions_delivered": "Sessions delivered",
    "sessions_missed": "Sessions missed (did not attend, cancelled by mentee)",
    "attendance_rate": "Attendance rate",
    "sessions_per_mentee": "Sessions per mentee",
    "completions": "Completed support",
    "early_endings": "Ended early",
    "baselines_recorded": "Baseline PAMs recorded",
    "paired": "Mentees with baseline and follow-up",
    "baseline_mean_level": "Mean level at baseline",
    "follow_up_mean_level": "Mean level at follow-up",
    "baseline_mean_score": "Mean score at baseline",
    "follow_up_mean_score": "Mean score at follow-up",
    "mean_change": "Mean change in score",
    "mean_change_ci95": "Mean change: 95% confidence interval",
    "gained_3_or_more": "Gained 3 or more points",
    "share_gained_3_or_more": "Share gaining 3 or more points",
    "finished_without_follow_up": "Finished support without a follow-up PAM",
    "received_by_source": "Referrals by source",
    "rejected_by_reason": "Rejections by reason",
    "withdrawn_by_reason": "Withdrawals by reason",
    "early_endings_by_reason": "Early endings by reason",
    "registered": "Registered",
    "activated": "Activated (first time)",
    "left": "Left",
    "available_at_end": "Available at period end",
    "cohorts_started": "Cohorts started",
    "cohorts_finished": "Cohorts finished",
    "people_enrolled": "People enrolled in a cohort",
    "wait_to_first_session_days.median": "Days from waitlist to first group attended: median",
    "wait_to_first_session_days.p90": "Days from waitlist to first group attended: 90th percentile",
    "sessions_held": "Group sessions held",
    "sessions_cancelled": "Group sessions cancelled",
    "attendances": "Attendances",
    "member_sessions": "Members enrolled at sessions held (sessions x members)",
    "leavers": "Places ended",
    "completion_rate": "Completion (share of places ended)",
    "dropped_out": "Dropped out (stopped attending, withdrew, did not complete)",
    "drop_out_rate": "Drop-out (share of places ended)",
    "leavers_by_reason": "Places ended by reason",
}

INSTRUMENT_TITLES = {
    "c19-yrsm": "C19-YRSm (modified COVID-19 Yorkshire Rehabilitation Scale)",
    "ons4": "ONS4 personal wellbeing",
}

assert set(ETHNIC_CATEGORY_LABELS) >= {c.value for c in EthnicCategory}


def group_label(dimension: str, group: str) -> str:
    """How a group is named on the page."""
    if dimension == "ethnic_category":
        return f"{ETHNIC_CATEGORY_LABELS.get(group, group)} ({group})"
    return group
