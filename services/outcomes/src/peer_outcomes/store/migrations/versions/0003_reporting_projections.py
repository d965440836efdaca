"""Reporting projections built from the streams (every column but the key nullable: events arrive in any
order).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rpt_referrals",
        sa.Column("referral_id", sa.Text, primary_key=True),
        sa.Column("condition", sa.Text),
        sa.Column("programme", sa.Text),
        sa.Column("correlation_id", sa.Uuid),
        sa.Column("received_on", sa.Date),
        sa.Column("source", sa.Text),
        sa.Column("referrer_ods_code", sa.Text),
        sa.Column("postcode_district", sa.Text),
        sa.Column("ethnic_category", sa.Text),
        sa.Column("accepted_on", sa.Date),
        sa.Column("rejected_on", sa.Date),
        sa.Column("rejection_reason", sa.Text),
        sa.Column("withdrawn_on", sa.Date),
        sa.Column("withdrawal_reason", sa.Text),
    )
    op.create_table(
        "rpt_matches",
        sa.Column("match_id", sa.Text, primary_key=True),
        sa.Column("referral_id", sa.Text, nullable=False, index=True),
        sa.Column("mentor_id", sa.Text, nullable=False),
        sa.Column("matched_on", sa.Date, nullable=False),
    )
    op.create_table(
        "rpt_mentors",
        sa.Column("mentor_id", sa.Text, nullable=False),
        sa.Column("condition", sa.Text, nullable=False),
        sa.Column("registered_on", sa.Date),
        sa.Column("activated_on", sa.Date),
        sa.Column("left_on", sa.Date),
        sa.PrimaryKeyConstraint("mentor_id", "condition"),
    )
    op.create_table(
        "rpt_pairings",
        sa.Column("pairing_id", sa.Text, primary_key=True),
        sa.Column("referral_id", sa.Text, nullable=False, index=True),
        sa.Column("mentor_id", sa.Text, nullable=False),
        sa.Column("started_on", sa.Date),
        sa.Column("completed_on", sa.Date),
        sa.Column("ended_on", sa.Date),
        sa.Column("end_reason", sa.Text),
    )
    op.create_table(
        "rpt_sessions",
        sa.Column("session_id", sa.Text, primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("referral_id", sa.Text, nullable=False, index=True),
        sa.Column("mentor_id", sa.Text, nullable=False),
        sa.Column("session_date", sa.Date, nullable=False),
        sa.Column("attendance", sa.Text, nullable=False),
    )
    op.create_table(
        "rpt_pam",
        sa.Column("pam_id", sa.Text, primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("referral_id", sa.Text, nullable=False, index=True),
        sa.Column("timepoint", sa.Text, nullable=False),
        sa.Column("follow_up_number", sa.SmallInteger),
        sa.Column("assessed_on", sa.Date, nullable=False),
        sa.Column("score", sa.Numeric(4, 1), nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
    )


def downgrade() -> None:
    for table in ("rpt_pam", "rpt_sessions", "rpt_pairings", "rpt_mentors", "rpt_matches", "rpt_referrals"):
        op.drop_table(table)
