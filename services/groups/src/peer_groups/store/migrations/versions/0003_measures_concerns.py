"""Members' outcome measures (current revision and every revision) and safeguarding concerns.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _measure_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("instrument", sa.Text(), nullable=False),
        sa.Column("instrument_version", sa.Text(), nullable=False),
        sa.Column("timepoint", sa.Text(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("scores", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("entered_by", sa.Text(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "measure",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("referral_id", sa.Text(), nullable=False),
        sa.Column("cohort_id", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        *_measure_columns(),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("measure_of_referral", "measure", ["referral_id"])
    op.create_index("measure_of_cohort", "measure", ["cohort_id"])
    op.create_index(
        "measure_one_baseline",
        "measure",
        ["referral_id", "instrument"],
        unique=True,
        postgresql_where=sa.text("timepoint = 'baseline'"),
    )
    op.create_table(
        "measure_revision",
        sa.Column("measure_id", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        *_measure_columns(),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["measure_id"], ["measure.id"]),
        sa.PrimaryKeyConstraint("measure_id", "revision"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_table(
        "group_concern",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("cohort_id", sa.Text(), nullable=False),
        sa.Column("referral_id", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("urgency", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("details_erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raised_by", sa.Text(), nullable=False),
        sa.Column("raised_by_subject", sa.Text(), nullable=False),
        sa.Column("escalation_level", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "group_concern_open",
        "group_concern",
        ["raised_at"],
        postgresql_where=sa.text("acknowledged_at IS NULL"),
    )
    op.create_index("group_concern_of_referral", "group_concern", ["referral_id"])


def downgrade() -> None:
    op.drop_index("group_concern_of_referral", table_name="group_concern")
    op.drop_index("group_concern_open", table_name="group_concern")
    op.drop_table("group_concern")
    op.drop_table("measure_revision")
    op.drop_index("measure_one_baseline", table_name="measure")
    op.drop_index("measure_of_cohort", table_name="measure")
    op.drop_index("measure_of_referral", table_name="measure")
    op.drop_table("measure")
