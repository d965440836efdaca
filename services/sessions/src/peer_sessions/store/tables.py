"""Tables of the sessions service (its own database; no other service reads it).

Free text (session notes, goal wording, safeguarding details) lives only here. Sessions and goals are
versioned: the current row plus a history row per version, so a correction never overwrites a record.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY

metadata = MetaData()

pairing = Table(
    "pairing",
    metadata,
    Column("id", Text, primary_key=True),
    Column("match_id", Text, nullable=False, unique=True),
    Column("referral_id", Text, nullable=False),
    Column("mentor_id", Text, nullable=False),
    Column("condition", Text, nullable=False),
    Column("programme", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("started_on", Date, nullable=False),
    Column("planned_end_on", Date, nullable=False),
    Column("correlation_id", Uuid, nullable=False),
    Column("paused_on", Date),
    Column("pause_reason", Text),
    Column("paused_for_mentor", Boolean, nullable=False, server_default=text("false")),
    Column("finished_on", Date),
    Column("end_reason", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("pairing_mentor", "mentor_id", "status"),
    Index("pairing_status", "status", "id"),
    # A referral has at most one open pairing: a second match while one is open is an operator's matter.
    Index(
        "pairing_one_open_per_referral",
        "referral_id",
        unique=True,
        postgresql_where=text("status IN ('active', 'paused')"),
    ),
    Index("pairing_referral", "referral_id"),
)

mentoring_session = Table(
    "mentoring_session",
    metadata,
    Column("id", Text, primary_key=True),
    Column("pairing_id", Text, ForeignKey("pairing.id"), nullable=False),
    Column("mentor_id", Text, nullable=False),
    Column("number", Integer, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True)),
    Column("duration_minutes", Integer),
    Column("mode", Text, nullable=False),
    Column("attendance", Text, nullable=False),
    Column("topics", ARRAY(Text), nullable=False),
    Column("notes", Text),
    Column("goals_set", Integer, nullable=False),
    Column("goals_reviewed", Integer, nullable=False),
    Column("logged_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("pairing_id", "number", name="session_number_once"),
    Index("session_mentor_time", "mentor_id", "starts_at"),
    Index("session_pairing", "pairing_id", "starts_at"),
)

session_revision = Table(
    "session_revision",
    metadata,
    Column("session_id", Text, ForeignKey("mentoring_session.id"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("duration_minutes", Integer),
    Column("mode", Text, nullable=False),
    Column("attendance", Text, nullable=False),
    Column("topics", ARRAY(Text), nullable=False),
    Column("notes", Text),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", Text, nullable=False),
    PrimaryKeyConstraint("session_id", "revision"),
)

goal = Table(
    "goal",
    metadata,
    Column("id", Text, primary_key=True),
    Column("pairing_id", Text, ForeignKey("pairing.id"), nullable=False),
    Column("session_id", Text, ForeignKey("mentoring_session.id")),
    Column("topic", Text, nullable=False),
    # Nullable: erased when the referral is withdrawn.
    Column("what", Text),
    Column("how_much", Text),
    Column("when_text", Text),
    Column("how_often", Text),
    Column("confidence", Integer, nullable=False),
    Column("progress", Text),
    Column("set_on", Date, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("goal_pairing", "pairing_id"),
)

goal_history = Table(
    "goal_history",
    metadata,
    Column("goal_id", Text, ForeignKey("goal.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("session_id", Text, ForeignKey("mentoring_session.id")),
    Column("topic", Text, nullable=False),
    Column("what", Text),
    Column("how_much", Text),
    Column("when_text", Text),
    Column("how_often", Text),
    Column("confidence", Integer, nullable=False),
    Column("progress", Text),
    Column("on_date", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("goal_id", "seq"),
)

concern = Table(
    "safeguarding_concern",
    metadata,
    Column("id", Text, primary_key=True),
    Column("pairing_id", Text, ForeignKey("pairing.id"), nullable=False),
    Column("session_id", Text, ForeignKey("mentoring_session.id")),
    Column("category", Text, nullable=False),
    Column("urgency", Text, nullable=False),
    Column("details", Text),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("raised_by", Text, nullable=False),
    Column("raised_by_subject", Text, nullable=False),
    Column("escalation_level", Integer, nullable=False, server_default=text("0")),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("acknowledged_by", Text),
    Column("action", Text),
    Index("concern_open", "raised_at", postgresql_where=text("acknowledged_at IS NULL")),
)

mentor_state = Table(
    "mentor_state",
    metadata,
    Column("mentor_id", Text, primary_key=True),
    Column("status", Text, nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
)

withdrawn_referral = Table(
    "withdrawn_referral",
    metadata,
    Column("referral_id", Text, primary_key=True),
    Column("withdrawn_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
