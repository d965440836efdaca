"""PAM records (current revision) and every revision ever recorded.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _result_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("timepoint", sa.Text, nullable=False),
        sa.Column("follow_up_number", sa.SmallInteger),
        sa.Column("assessed_on", sa.Date, nullable=False),
        sa.Column("score", sa.Numeric(4, 1), nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("level_derived", sa.Boolean, nullable=False),
        sa.Column("cut_point_set", sa.Text, nullable=False),
        sa.Column("tool_version", sa.Text, nullable=False),
        sa.Column("administered_by", sa.Text, nullable=False),
        sa.Column("entered_by", sa.Text, nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "pam_records",
        sa.Column("pam_id", sa.Text, primary_key=True),
        sa.Column("referral_id", sa.Text, nullable=False),
        sa.Column("revision", sa.SmallInteger, nullable=False),
        *_result_columns(),
    )
    op.create_index(
        "pam_one_baseline",
        "pam_records",
        ["referral_id"],
        unique=True,
        postgresql_where=sa.text("timepoint = 'baseline'"),
    )
    op.create_index(
        "pam_one_follow_up_per_number",
        "pam_records",
        ["referral_id", "follow_up_number"],
        unique=True,
        postgresql_where=sa.text("timepoint = 'follow-up'"),
    )
    op.create_table(
        "pam_revisions",
        sa.Column("pam_id", sa.Text, nullable=False),
        sa.Column("revision", sa.SmallInteger, nullable=False),
        sa.Column("referral_id", sa.Text, nullable=False),
        *_result_columns(),
        sa.Column("event_id", sa.Uuid, nullable=False, unique=True),
        sa.PrimaryKeyConstraint("pam_id", "revision"),
    )


def downgrade() -> None:
    op.drop_table("pam_revisions")
    op.drop_table("pam_records")
