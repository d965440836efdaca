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

PROJECTION_TABLES = (rpt_referrals, rpt_matches, rpt_mentors, rpt_pairings, rpt_sessions, rpt_pam)
"""Everything a rebuild drops and re-creates from the streams."""
