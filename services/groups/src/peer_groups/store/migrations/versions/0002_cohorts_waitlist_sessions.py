"""Cohorts and their members, the waitlist, group sessions (with registers and revisions), facilitators.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "waitlist_entry",
        sa.Column("referral_id", sa.Text(), nullable=False),
        sa.Column("programme", sa.Text(), nullable=False),
        sa.Column("condition", sa.Text(), nullable=False),
        sa.Column("waitlisted_on", sa.Date(), nullable=False),
        sa.Column("correlation_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("cohort_id", sa.Text(), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("referral_id"),
    )
    op.create_index(
        "waitlist_order", "waitlist_entry", ["programme", "status", "waitlisted_on", "referral_id"]
    )
    op.create_table(
        "cohort",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("programme", sa.Text(), nullable=False),
        sa.Column("condition", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("setting", sa.Text(), nullable=False),
        sa.Column("venue", sa.Text(), nullable=True),
        sa.Column("online_link", sa.Text(), nullable=True),
        sa.Column("max_size", sa.Integer(), nullable=False),
        sa.Column("min_size", sa.Integer(), nullable=False),
        sa.Column("planned_sessions", sa.Integer(), nullable=False),
        sa.Column("cadence_days", sa.Integer(), nullable=False),
        sa.Column("facilitators", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("correlation_id", sa.Uuid(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("finished_on", sa.Date(), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("cohort_programme_status", "cohort", ["programme", "status", "starts_on"])
    op.create_table(
        "cohort_member",
        sa.Column("cohort_id", sa.Text(), nullable=False),
        sa.Column("referral_id", sa.Text(), nullable=False),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("waitlisted_on", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("left_reason", sa.Text(), nullable=True),
        sa.Column("follow_up", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("follow_up_cleared_on", sa.Date(), nullable=True),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"]),
        sa.PrimaryKeyConstraint("cohort_id", "referral_id"),
    )
    op.create_index(
        "member_one_place_per_referral",
        "cohort_member",
        ["referral_id"],
        unique=True,
        postgresql_where=sa.text("status = 'enrolled'"),
    )
    op.create_table(
        "group_session",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("cohort_id", sa.Text(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("setting", sa.Text(), nullable=False),
        sa.Column("topics", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("facilitators", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("recorded_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cohort_id", "number", name="group_session_number_once"),
    )
    op.create_table(
        "session_register",
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("referral_id", sa.Text(), nullable=False),
        sa.Column("presence", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["group_session.id"]),
        sa.PrimaryKeyConstraint("session_id", "referral_id"),
    )
    op.create_index("register_referral", "session_register", ["referral_id"])
    op.create_table(
        "group_session_revision",
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("record", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("recorded_at", _TZ, nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["group_session.id"]),
        sa.PrimaryKeyConstraint("session_id", "revision"),
    )
    op.create_table(
        "facilitator",
        sa.Column("mentor_id", sa.Text(), nullable=False),
        sa.Column("conditions", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("group_facilitator", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("checks_valid_until", sa.Date(), nullable=True),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("mentor_id"),
    )


def downgrade() -> None:
    op.drop_table("facilitator")
    op.drop_table("group_session_revision")
    op.drop_index("register_referral", table_name="session_register")
    op.drop_table("session_register")
    op.drop_table("group_session")
    op.drop_index("member_one_place_per_referral", table_name="cohort_member")
    op.drop_table("cohort_member")
    op.drop_index("cohort_programme_status", table_name="cohort")
    op.drop_table("cohort")
    op.drop_index("waitlist_order", table_name="waitlist_entry")
    op.drop_table("waitlist_entry")
