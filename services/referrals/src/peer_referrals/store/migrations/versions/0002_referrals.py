"""Referrals, the people referred, triage records, support progress and the audit log.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _child(name: str, *columns: sa.Column) -> None:  # type: ignore[type-arg]
    op.create_table(
        name,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("referral_id", sa.Text, sa.ForeignKey("referrals.id"), nullable=False, index=True),
        *columns,
    )


def upgrade() -> None:
    op.create_table(
        "referrals",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("source_key_hash", sa.Text),
        sa.Column("known_condition", sa.Text, nullable=False),
        sa.Column("condition", sa.Text, nullable=False),
        sa.Column("programme", sa.Text, nullable=False),
        sa.Column("triage_status", sa.Text, nullable=False),
        sa.Column("support_stage", sa.Text),
        sa.Column("support_mentor_id", sa.Text),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("authored_on", sa.Date),
        sa.Column("referrer_ods_code", sa.Text, nullable=False),
        sa.Column("requester", sa.Text),
        sa.Column("submitted_by", sa.Text),
        sa.Column("age_band", sa.Text, nullable=False),
        sa.Column("gender", sa.Text, nullable=False),
        sa.Column("postcode_district", sa.Text, nullable=False),
        sa.Column("ethnic_category", sa.Text),
        sa.Column("preferred_language", sa.Text),
        sa.Column("preferences", JSONB, nullable=False),
        sa.Column("duplicate_of", sa.Text, sa.ForeignKey("referrals.id")),
        sa.Column("needs_review", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("accepted_on", sa.Date),
        sa.Column("closed_on", sa.Date),
        sa.Column("rejection_reason", sa.Text),
        sa.Column("withdrawal_reason", sa.Text),
        sa.Column("correlation_id", sa.Uuid, nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("source", "source_key_hash", name="referrals_source_key"),
    )
    op.create_index("referrals_queue", "referrals", ["triage_status", "received_at", "id"])
    op.create_index("referrals_submitted_by", "referrals", ["submitted_by", "received_at", "id"])
    op.create_table(
        "people",
        sa.Column("referral_id", sa.Text, sa.ForeignKey("referrals.id"), primary_key=True),
        sa.Column("nhs_number", sa.Text, nullable=False),
        sa.Column("given_names", JSONB, nullable=False),
        sa.Column("family_name", sa.Text, nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("gender", sa.Text, nullable=False),
        sa.Column("address_lines", JSONB, nullable=False),
        sa.Column("postcode", sa.Text, nullable=False),
        sa.Column("phone", sa.Text),
        sa.Column("email", sa.Text),
        sa.Column("preferred_contact", sa.Text, nullable=False),
        sa.Column("ubrn", sa.Text),
        sa.Column("notes", sa.Text),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("people_nhs_number", "people", ["nhs_number"])
    _child(
        "person_versions",
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("details", JSONB, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    _child(
        "contact_attempts",
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempted_by", sa.Text, nullable=False),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
    )
    _child(
        "consents",
        sa.Column("peer_support", sa.Boolean, nullable=False),
        sa.Column("share_outcomes_with_referrer", sa.Boolean, nullable=False),
        sa.Column("contact_for_evaluation", sa.Boolean, nullable=False),
        sa.Column("given_on", sa.Date, nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "support_facts",
        sa.Column("event_id", sa.Uuid, primary_key=True),
        sa.Column("referral_id", sa.Text, nullable=False, index=True),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("happened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mentor_id", sa.Text, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_role", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("referral_id", sa.Text, index=True),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("detail", JSONB, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "audit_log",
        "support_facts",
        "consents",
        "contact_attempts",
        "person_versions",
        "people",
        "referrals",
    ):
        op.drop_table(table)
