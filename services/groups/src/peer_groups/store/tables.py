"""Tables of the groups service (its own database; no other service reads it).

Groups holds no patient identity: people are known by referral id only. Free text (venue, online link,
session notes) lives only here. A group session is versioned: the current row and its register, plus a
revision row per version (with that version's register), so a correction never overwrites a record.
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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = MetaData()

# --- cohorts, waitlist, sessions, facilitators (migration 0002) ---

waitlist_entry = Table(
    "waitlist_entry",
    metadata,
    Column("referral_id", Text, primary_key=True),
    Column("programme", Text, nullable=False),
    Column("condition", Text, nullable=False),
    Column("waitlisted_on", Date, nullable=False),
    # The referral's correlation id: the person's events in this service join their journey.
    Column("correlation_id", Uuid, nullable=False),
    # waiting | enrolled | done (left a cohort for good) | withdrawn
    Column("status", Text, nullable=False),
    Column("cohort_id", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("waitlist_order", "programme", "status", "waitlisted_on", "referral_id"),
)

cohort = Table(
    "cohort",
    metadata,
    Column("id", Text, primary_key=True),
    Column("programme", Text, nullable=False),
    Column("condition", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("setting", Text, nullable=False),
    Column("venue", Text),
    Column("online_link", Text),
    Column("max_size", Integer, nullable=False),
    Column("min_size", Integer, nullable=False),
    Column("planned_sessions", Integer, nullable=False),
    Column("cadence_days", Integer, nullable=False),
    Column("facilitators", ARRAY(Text), nullable=False),
    Column("correlation_id", Uuid, nullable=False),
    Column("opened_on", Date),
    Column("started_on", Date),
    Column("finished_on", Date),
    Column("cancelled_on", Date),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("cohort_programme_status", "programme", "status", "starts_on"),
)

cohort_member = Table(
    "cohort_member",
    metadata,
    Column("cohort_id", Text, ForeignKey("cohort.id"), nullable=False),
    Column("referral_id", Text, nullable=False),
    Column("enrolled_on", Date, nullable=False),
    Column("waitlisted_on", Date, nullable=False),
    Column("status", Text, nullable=False),
    Column("left_on", Date),
    Column("left_reason", Text),
    Column("follow_up", Boolean, nullable=False, server_default=text("false")),
    # After a follow-up found the member coming back, only absences after this day count again.
    Column("follow_up_cleared_on", Date),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("cohort_id", "referral_id"),
    # A person holds at most one place at a time.
    Index(
        "member_one_place_per_referral",
        "referral_id",
        unique=True,
        postgresql_where=text("status = 'enrolled'"),
    ),
)

group_session = Table(
    "group_session",
    metadata,
    Column("id", Text, primary_key=True),
    Column("cohort_id", Text, ForeignKey("cohort.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("held_on", Date, nullable=False),
    Column("duration_minutes", Integer),
    Column("setting", Text, nullable=False),
    Column("topics", ARRAY(Text), nullable=False),
    Column("facilitators", ARRAY(Text), nullable=False),
    Column("cancel_reason", Text),
    Column("notes", Text),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("cohort_id", "number", name="group_session_number_once"),
)

session_register = Table(
    "session_register",
    metadata,
    Column("session_id", Text, ForeignKey("group_session.id"), nullable=False),
    Column("referral_id", Text, nullable=False),
    Column("presence", Text, nullable=False),
    PrimaryKeyConstraint("session_id", "referral_id"),
    Index("register_referral", "referral_id"),
)

group_session_revision = Table(
    "group_session_revision",
    metadata,
    Column("session_id", Text, ForeignKey("group_session.id"), nullable=False),
    Column("revision", Integer, nullable=False),
    # That version's fields and register, as recorded (notes are erased from here too).
    Column("record", JSONB, nullable=False),
    Column("notes", Text),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", Text, nullable=False),
    PrimaryKeyConstraint("session_id", "revision"),
)

facilitator = Table(
    "facilitator",
    metadata,
    Column("mentor_id", Text, primary_key=True),
    Column("conditions", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    # registered | active | paused | left
    Column("status", Text, nullable=False),
    Column("group_facilitator", Boolean, nullable=False, server_default=text("false")),
    Column("checks_valid_until", Date),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# --- Measures and safeguarding concerns (migration 0003) --------------------------------------------

measure = Table(
    "measure",
    metadata,
    Column("id", Text, primary_key=True),
    Column("referral_id", Text, nullable=False),
    Column("cohort_id", Text, ForeignKey("cohort.id"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("instrument", Text, nullable=False),
    Column("instrument_version", Text, nullable=False),
    Column("timepoint", Text, nullable=False),
    Column("assessed_on", Date, nullable=False),
    Column("scores", JSONB, nullable=False),
    Column("entered_by", Text, nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    Index("measure_of_referral", "referral_id"),
    Index("measure_of_cohort", "cohort_id"),
    # A backstop for the per-referral lock: two baselines of one instrument never commit.
    Index(
        "measure_one_baseline",
        "referral_id",
        "instrument",
        unique=True,
        postgresql_where=text("timepoint = 'baseline'"),
    ),
)
"""Members' outcome measures at their current revision: scale totals only, never question text."""

measure_revision = Table(
    "measure_revision",
    metadata,
    Column("measure_id", Text, ForeignKey("measure.id"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("instrument", Text, nullable=False),
    Column("instrument_version", Text, nullable=False),
    Column("timepoint", Text, nullable=False),
    Column("assessed_on", Date, nullable=False),
    Column("scores", JSONB, nullable=False),
    Column("entered_by", Text, nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    Column("event_id", Uuid, nullable=False, unique=True),
    PrimaryKeyConstraint("measure_id", "revision"),
)
"""Every revision a measure went through, with the `MeasureRecorded` event that published it."""

group_concern = Table(
    "group_concern",
    metadata,
    Column("id", Text, primary_key=True),
    Column("cohort_id", Text, ForeignKey("cohort.id"), nullable=False),
    Column("referral_id", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("urgency", Text, nullable=False),
    Column("details", Text),
    Column("details_erased_at", DateTime(timezone=True)),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("raised_by", Text, nullable=False),
    Column("raised_by_subject", Text, nullable=False),
    Column("escalation_level", Integer, nullable=False, server_default=text("0")),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("acknowledged_by", Text),
    Column("action", Text),
    Index("group_concern_open", "raised_at", postgresql_where=text("acknowledged_at IS NULL")),
    Index("group_concern_of_referral", "referral_id"),
)
"""Safeguarding concerns about group members; what was observed (`details`) stays here."""
