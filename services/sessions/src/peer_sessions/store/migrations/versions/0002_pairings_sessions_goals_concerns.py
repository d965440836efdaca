"""Pairings, sessions (with revisions), goals (with history), safeguarding concerns, and what the service
remembers of early arrivals (mentor availability, withdrawn referrals).

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


def upgrade() -> None:
    op.create_table(
        "mentor_state",
        sa.Column("mentor_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("mentor_id"),
    )
    op.create_table(
        "pairing",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("match_id", sa.Text(), nullable=False),
        sa.Column("referral_id", sa.Text(), nullable=False),
        sa.Column("mentor_id", sa.Text(), nullable=False),
        sa.Column("condition", sa.Text(), nullable=False),
        sa.Column("programme", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("planned_end_on", sa.Date(), nullable=False),
        sa.Column("correlation_id", sa.Uuid(), nullable=False),
        sa.Column("paused_on", sa.Date(), nullable=True),
        sa.Column("pause_reason", sa.Text(), nullable=True),
        sa.Column("paused_for_mentor", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("finished_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("match_id"),
    )
    op.create_index("pairing_mentor", "pairing", ["mentor_id", "status"], unique=False)
    op.create_index(
        "pairing_one_open_per_referral",
        "pairing",
        ["referral_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('active', 'paused')"),
    )
    op.create_index("pairing_referral", "pairing", ["referral_id"], unique=False)
    op.create_index("pairing_status", "pairing", ["status", "id"], unique=False)
    op.create_table(
        "withdrawn_referral",
        sa.Column("referral_id", sa.Text(), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("referral_id"),
    )
    op.create_table(
        "mentoring_session",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("pairing_id", sa.Text(), nullable=False),
        sa.Column("mentor_id", sa.Text(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("mode", sa.Text(), nullable=False),
        sa.Column("attendance", sa.Text(), nullable=False),
        sa.Column("topics", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("goals_set", sa.Integer(), nullable=False),
        sa.Column("goals_reviewed", sa.Integer(), nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pairing_id"],
            ["pairing.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pairing_id", "number", name="session_number_once"),
    )
    op.create_index("session_mentor_time", "mentoring_session", ["mentor_id", "starts_at"], unique=False)
    op.create_index("session_pairing", "mentoring_session", ["pairing_id", "starts_at"], unique=False)
    op.create_table(
        "goal",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("pairing_id", sa.Text(), nullable=False),
        sa.Column("session_id", sa.Text(), nullable=True),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("what", sa.Text(), nullable=True),
        sa.Column("how_much", sa.Text(), nullable=True),
        sa.Column("when_text", sa.Text(), nullable=True),
        sa.Column("how_often", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Text(), nullable=True),
        sa.Column("set_on", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pairing_id"],
            ["pairing.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["mentoring_session.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("goal_pairing", "goal", ["pairing_id"], unique=False)
    op.create_table(
        "safeguarding_concern",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("pairing_id", sa.Text(), nullable=False),
        sa.Column("session_id", sa.Text(), nullable=True),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("urgency", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raised_by", sa.Text(), nullable=False),
        sa.Column("raised_by_subject", sa.Text(), nullable=False),
        sa.Column("escalation_level", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pairing_id"],
            ["pairing.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["mentoring_session.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "concern_open",
        "safeguarding_concern",
        ["raised_at"],
        unique=False,
        postgresql_where=sa.text("acknowledged_at IS NULL"),
    )
    op.create_table(
        "session_revision",
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("mode", sa.Text(), nullable=False),
        sa.Column("attendance", sa.Text(), nullable=False),
        sa.Column("topics", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["mentoring_session.id"],
        ),
        sa.PrimaryKeyConstraint("session_id", "revision"),
    )
    op.create_table(
        "goal_history",
        sa.Column("goal_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("session_id", sa.Text(), nullable=True),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("what", sa.Text(), nullable=True),
        sa.Column("how_much", sa.Text(), nullable=True),
        sa.Column("when_text", sa.Text(), nullable=True),
        sa.Column("how_often", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Text(), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["goal.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["mentoring_session.id"],
        ),
        sa.PrimaryKeyConstraint("goal_id", "seq"),
    )


def downgrade() -> None:
    for table in (
        "goal_history",
        "session_revision",
        "safeguarding_concern",
        "goal",
        "mentoring_session",
        "withdrawn_referral",
        "pairing",
        "mentor_state",
    ):
        op.drop_table(table)
