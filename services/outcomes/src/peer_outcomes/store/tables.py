"""Tables of the outcomes service (its own database; no other service reads it).

Two kinds: the PAM records this service owns (`pam_records`, current revision, and `pam_revisions`,
every revision ever recorded), and the reporting projections (`rpt_*`), which are only a cache of the
streams: they are dropped and rebuilt from the start of the streams at will.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    Uuid,
    text,
)

from peer_outcomes.domain.measure_rules import SCALES

metadata = MetaData()

_PAM_RESULT_COLUMNS = (
    ("timepoint", Text),
    ("follow_up_number", SmallInteger),
    ("assessed_on", Date),
    ("score", Numeric(4, 1)),
    ("level", SmallInteger),
    ("level_derived", Boolean),
    ("cut_point_set", Text),
    ("tool_version", Text),
    ("administered_by", Text),
)


def _result_columns() -> list[Column[object]]:
    return [Column(name, kind, nullable=name == "follow_up_number") for name, kind in _PAM_RESULT_COLUMNS]


pam_records = Table(
    "pam_records",
    metadata,
    Column("pam_id", Text, primary_key=True),
    Column("referral_id", Text, nullable=False),
    Column("revision", SmallInteger, nullable=False),
    *_result_columns(),
    Column("entered_by", Text, nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    # A backstop for the per-referral lock: two baselines, or two follow-ups with one number, never commit.
    Index("pam_one_baseline", "referral_id", unique=True, postgresql_where=text("timepoint = 'baseline'")),
    Index(
        "pam_one_follow_up_per_number",
        "referral_id",
        "follow_up_number",
        unique=True,
        postgresql_where=text("timepoint = 'follow-up'"),
    ),
)

pam_revisions = Table(
    "pam_revisions",
    metadata,
    Column("pam_id", Text, nullable=False),
    Column("revision", SmallInteger, nullable=False),
    Column("referral_id", Text, nullable=False),
    *_result_columns(),
    Column("entered_by", Text, nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    Column("event_id", Uuid, nullable=False, unique=True),
    PrimaryKeyConstraint("pam_id", "revision"),
)

# --- Reporting projections: upserted from events in any order, so every column but the key is nullable.

rpt_referrals = Table(
    "rpt_referrals",
    metadata,
    Column("referral_id", Text, primary_key=True),
    Column("condition", Text),
    Column("programme", Text),
    Column("correlation_id", Uuid),
    Column("received_on", Date),
    Column("source", Text),
    Column("referrer_ods_code", Text),
    Column("postcode_district", Text),
    Column("ethnic_category", Text),
    Column("accepted_on", Date),
    Column("rejected_on", Date),
    Column("rejection_reason", Text),
    Column("withdrawn_on", Date),
    Column("withdrawal_reason", Text),
)

rpt_matches = Table(
    "rpt_matches",
    metadata,
    Column("match_id", Text, primary_key=True),
    Column("referral_id", Text, nullable=False, index=True),
    Column("mentor_id", Text, nullable=False),
    Column("matched_on", Date, nullable=False),
)

rpt_mentors = Table(
    "rpt_mentors",
    metadata,
    Column("mentor_id", Text, nullable=False),
    Column("condition", Text, nullable=False),
    Column("registered_on", Date),
    Column("activated_on", Date),
    Column("left_on", Date),
    PrimaryKeyConstraint("mentor_id", "condition"),
)

rpt_pairings = Table(
    "rpt_pairings",
    metadata,
    Column("pairing_id", Text, primary_key=True),
    Column("referral_id", Text, nullable=False, index=True),
    Column("mentor_id", Text, nullable=False),
    Column("started_on", Date),
    Column("completed_on", Date),
    Column("ended_on", Date),
    Column("end_reason", Text),
)

rpt_sessions = Table(
    "rpt_sessions",
    metadata,
    Column("session_id", Text, primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("referral_id", Text, nullable=False, index=True),
    Column("mentor_id", Text, nullable=False),
    Column("session_date", Date, nullable=False),
    Column("attendance", Text, nullable=False),
)

rpt_pam = Table(
    "rpt_pam",
    metadata,
    Column("pam_id", Text, primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("referral_id", Text, nullable=False, index=True),
    Column("timepoint", Text, nullable=False),
    Column("follow_up_number", SmallInteger),
    Column("assessed_on", Date, nullable=False),
    Column("score", Numeric(4, 1), nullable=False),
    Column("level", SmallInteger, nullable=False),
)

# --- Group programmes (the groups service's events); each row carries its event's condition and programme.

rpt_cohorts = Table(
    "rpt_cohorts",
    metadata,
    Column("cohort_id", Text, primary_key=True),
    Column("condition", Text),
    Column("programme", Text),
    Column("opened_on", Date),
    Column("starts_on", Date),
    Column("planned_sessions", SmallInteger),
    Column("started_on", Date),
    Column("finished_on", Date),
)

rpt_cohort_members = Table(
    "rpt_cohort_members",
    metadata,
    Column("cohort_id", Text, nullable=False),
    Column("referral_id", Text, nullable=False, index=True),
    Column("condition", Text),
    Column("programme", Text),
    Column("enrolled_on", Date),
    Column("waitlisted_on", Date),
    Column("left_on", Date),
    Column("leave_reason", Text),
    PrimaryKeyConstraint("cohort_id", "referral_id"),
)

rpt_group_sessions = Table(
    "rpt_group_sessions",
    metadata,
    Column("session_id", Text, primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("cohort_id", Text, nullable=False),
    Column("condition", Text, nullable=False),
    Column("programme", Text, nullable=False),
    Column("held_on", Date, nullable=False),
)

rpt_group_attendance = Table(
    "rpt_group_attendance",
    metadata,
    # One row per member on a register, stamped with the register's revision: only rows of the session's
    # current revision count (a correction may drop a member from the register).
    Column("session_id", Text, nullable=False),
    Column("referral_id", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("presence", Text, nullable=False),
    PrimaryKeyConstraint("session_id", "referral_id"),
)

rpt_group_cancellations = Table(
    "rpt_group_cancellations",
    metadata,
    Column("session_id", Text, primary_key=True),
    Column("cohort_id", Text, nullable=False),
    Column("condition", Text, nullable=False),
    Column("programme", Text, nullable=False),
    Column("planned_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
)

SCALE_COLUMNS = {scale: f"score_{scale.replace('-', '_')}" for scale in SCALES}
"""The column of each scale's total in `rpt_measures` (null when the measure did not score it)."""

rpt_measures = Table(
    "rpt_measures",
    metadata,
    Column("measure_id", Text, primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("referral_id", Text, nullable=False, index=True),
    Column("cohort_id", Text, nullable=False),
    Column("condition", Text, nullable=False),
    Column("programme", Text, nullable=False),
    Column("instrument", Text, nullable=False),
    Column("timepoint", Text, nullable=False),
    Column("assessed_on", Date, nullable=False),
    *(Column(column, SmallInteger) for column in SCALE_COLUMNS.values()),
)

GROUP_TABLES = (
    rpt_cohorts,
    rpt_cohort_members,
    rpt_group_sessions,
    rpt_group_attendance,
    rpt_group_cancellations,
    rpt_measures,
)

PROJECTION_TABLES = (
    rpt_referrals,
    rpt_matches,
    rpt_mentors,
    rpt_pairings,
    rpt_sessions,
    rpt_pam,
    *GROUP_TABLES,
)
"""Everything a rebuild drops and re-creates from the streams."""
