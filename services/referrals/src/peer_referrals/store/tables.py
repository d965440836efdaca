"""Tables of the referrals service (its own database; no other service reads it).

Identifiable data lives in `people`, `person_versions` and the free-text `contact_attempts.note` only, so
erasure has few places to reach. Everything else is pseudonymous: the referral id, codes and dates.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

referrals = Table(
    "referrals",
    metadata,
    Column("id", Text, primary_key=True),
    Column("source", Text, nullable=False),
    # A SHA-256 of the feed's own identifier: resending is idempotent without keeping a UBRN in the clear.
    Column("source_key_hash", Text),
    Column("known_condition", Text, nullable=False),
    Column("condition", Text, nullable=False),
    Column("programme", Text, nullable=False),
    Column("triage_status", Text, nullable=False),
    Column("support_stage", Text),
    Column("support_mentor_id", Text),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("authored_on", Date),
    Column("referrer_ods_code", Text, nullable=False),
    Column("requester", Text),
    Column("submitted_by", Text),
    Column("age_band", Text, nullable=False),
    Column("gender", Text, nullable=False),
    Column("postcode_district", Text, nullable=False),
    Column("ethnic_category", Text),
    Column("preferred_language", Text),
    Column("preferences", JSONB, nullable=False),
    Column("duplicate_of", Text, ForeignKey("referrals.id")),
    Column("needs_review", Boolean, nullable=False, server_default="false"),
    Column("accepted_on", Date),
    Column("closed_on", Date),
    Column("rejection_reason", Text),
    Column("withdrawal_reason", Text),
    Column("correlation_id", Uuid, nullable=False),
    Column("erased_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("source", "source_key_hash", name="referrals_source_key"),
    Index("referrals_queue", "triage_status", "received_at", "id"),
    Index("referrals_submitted_by", "submitted_by", "received_at", "id"),
)

people = Table(
    "people",
    metadata,
    Column("referral_id", Text, ForeignKey("referrals.id"), primary_key=True),
    Column("nhs_number", Text, nullable=False),
    Column("given_names", JSONB, nullable=False),
    Column("family_name", Text, nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("gender", Text, nullable=False),
    Column("address_lines", JSONB, nullable=False),
    Column("postcode", Text, nullable=False),
    Column("phone", Text),
    Column("email", Text),
    Column("preferred_contact", Text, nullable=False),
    Column("ubrn", Text),
    Column("notes", Text),
    Column("version", Integer, nullable=False),
    Index("people_nhs_number", "nhs_number"),
)

person_versions = Table(
    "person_versions",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("referral_id", Text, ForeignKey("referrals.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("details", JSONB, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("changed_by", Text, nullable=False),
    Column("reason", Text, nullable=False),
)
"""Every earlier version of a person's details, kept when a coordinator corrects them."""

contact_attempts = Table(
    "contact_attempts",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("referral_id", Text, ForeignKey("referrals.id"), nullable=False, index=True),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Column("attempted_by", Text, nullable=False),
    Column("method", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("note", Text),
)

consents = Table(
    "consents",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("referral_id", Text, ForeignKey("referrals.id"), nullable=False, index=True),
    Column("peer_support", Boolean, nullable=False),
    Column("share_outcomes_with_referrer", Boolean, nullable=False),
    Column("contact_for_evaluation", Boolean, nullable=False),
    Column("given_on", Date, nullable=False),
    Column("recorded_by", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

support_facts = Table(
    "support_facts",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("referral_id", Text, nullable=False, index=True),
    Column("stage", Text, nullable=False),
    Column("happened_at", DateTime(timezone=True), nullable=False),
    Column("mentor_id", Text, nullable=False),
)
"""Matching's and sessions' events about a referral; no foreign key: they may arrive before it does."""

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_role", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("referral_id", Text, index=True),
    Column("purpose", Text, nullable=False),
    Column("detail", JSONB, nullable=False),
)
"""Who read or changed identifiable data, when, what and why. Holds no identifiable data itself."""
