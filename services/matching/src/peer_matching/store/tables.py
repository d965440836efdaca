"""Tables of the matching service (its own database; no other service reads it)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = MetaData()

mentor = Table(
    "mentor",
    metadata,
    Column("mentor_id", Text, primary_key=True),
    Column("status", Text, nullable=False),
    Column("conditions", ARRAY(Text), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("postcode_district", Text, nullable=False),
    Column("travel_km", Float, nullable=False),
    Column("gender", Text, nullable=False),
    Column("languages", ARRAY(Text), nullable=False),
    Column("availability", ARRAY(Text), nullable=False),
    Column("experience", ARRAY(Text), nullable=False),
    Column("interests", ARRAY(Text), nullable=False),
    Column("contact_modes", ARRAY(Text), nullable=False),
    Column("dbs_checked_on", Date),
    Column("safeguarding_refreshed_on", Date),
    Column("registered_on", Date, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("capacity BETWEEN 1 AND 20", name="mentor_capacity_range"),
    CheckConstraint("travel_km >= 0", name="mentor_travel_non_negative"),
    Index("mentor_conditions", "conditions", postgresql_using="gin"),
)

mentor_training = Table(
    "mentor_training",
    metadata,
    Column("mentor_id", Text, ForeignKey("mentor.mentor_id", ondelete="CASCADE"), nullable=False),
    Column("module", Text, nullable=False),
    Column("completed_on", Date, nullable=False),
    PrimaryKeyConstraint("mentor_id", "module"),
)

mentor_contact = Table(
    "mentor_contact",
    metadata,
    # Personal details: read by coordinators through the API, never put in an event.
    Column("mentor_id", Text, ForeignKey("mentor.mentor_id", ondelete="CASCADE"), primary_key=True),
    Column("full_name", Text, nullable=False),
    Column("email", Text),
    Column("phone", Text),
)

mentee = Table(
    "mentee",
    metadata,
    Column("referral_id", Text, primary_key=True),
    Column("condition", Text, nullable=False),
    Column("programme", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("gender", Text),
    Column("age_band", Text),
    Column("postcode_district", Text),
    Column("preferred_language", Text),
    Column("preferences", JSONB),
    Column("preferences_confirmed", Boolean, nullable=False, server_default=text("false")),
    Column("received_on", Date),
    Column("accepted_on", Date),
    Column("waiting_since", DateTime(timezone=True)),
    Column("rematch", Boolean, nullable=False, server_default=text("false")),
    Column("correlation_id", Uuid),
    Column("wait_code", Text),
    Column("wait_message", Text),
    Column("wait_funnel", JSONB),
    Column("closed_reason", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("mentee_waiting", "condition", "state"),
)

match = Table(
    "match",
    metadata,
    Column("match_id", Text, primary_key=True),
    Column("referral_id", Text, ForeignKey("mentee.referral_id"), nullable=False),
    Column("mentor_id", Text, ForeignKey("mentor.mentor_id"), nullable=False),
    Column("condition", Text, nullable=False),
    Column("programme", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("mode", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("priority", Float, nullable=False),
    Column("distance_km", Float),
    Column("components", JSONB, nullable=False),
    Column("reasons", ARRAY(Text), nullable=False),
    Column("passed_over", JSONB, nullable=False),
    Column("proposed_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", Text),
    Column("coordinator_id", Text),
    Column("override_of", Text, ForeignKey("match.match_id")),
    Column("override_reason", Text),
    Column("ended_at", DateTime(timezone=True)),
    Column("end_reason", Text),
    Index("match_mentor_open", "mentor_id", postgresql_where=text("status IN ('proposed', 'confirmed')")),
    # At most one open match per referral, whatever races: the database refuses a second.
    Index(
        "match_one_open_per_referral",
        "referral_id",
        unique=True,
        postgresql_where=text("status IN ('proposed', 'confirmed')"),
    ),
)
