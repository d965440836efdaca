"""Reporting projections of the group programmes: cohorts, members' places, held sessions and their
registers, cancelled sessions, outcome measures (C19-YRSm, ONS4).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Frozen here (not imported from the code): a migration must not change when the code does.
SCALE_COLUMNS = (
    "score_symptom_severity",
    "score_functional_ability",
    "score_other_symptoms",
    "score_overall_health",
    "score_life_satisfaction",
    "score_worthwhile",
    "score_happiness",
    "score_anxiety",
)


def upgrade() -> None:
    op.create_table(
        "rpt_cohorts",
        sa.Column("cohort_id", sa.Text, primary_key=True),
        sa.Column("condition", sa.Text),
        sa.Column("programme", sa.Text),
        sa.Column("opened_on", sa.Date),
        sa.Column("starts_on", sa.Date),
        sa.Column("planned_sessions", sa.SmallInteger),
        sa.Column("started_on", sa.Date),
        sa.Column("finished_on", sa.Date),
    )
    op.create_table(
        "rpt_cohort_members",
        sa.Column("cohort_id", sa.Text, nullable=False),
        sa.Column("referral_id", sa.Text, nullable=False, index=True),
        sa.Column("condition", sa.Text),
        sa.Column("programme", sa.Text),
        sa.Column("enrolled_on", sa.Date),
        sa.Column("waitlisted_on", sa.Date),
        sa.Column("left_on", sa.Date),
        sa.Column("leave_reason", sa.Text),
        sa.PrimaryKeyConstraint("cohort_id", "referral_id"),
    )
    op.create_table(
        "rpt_group_sessions",
        sa.Column("session_id", sa.Text, primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("cohort_id", sa.Text, nullable=False),
        sa.Column("condition", sa.Text, nullable=False),
        sa.Column("programme", sa.Text, nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
    )
    op.create_table(
        "rpt_group_attendance",
        sa.Column("session_id", sa.Text, nullable=False),
        sa.Column("referral_id", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("presence", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("session_id", "referral_id"),
    )
    op.create_table(
        "rpt_group_cancellations",
        sa.Column("session_id", sa.Text, primary_key=True),
        sa.Column("cohort_id", sa.Text, nullable=False),
        sa.Column("condition", sa.Text, nullable=False),
        sa.Column("programme", sa.Text, nullable=False),
        sa.Column("planned_on", sa.Date, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_table(
        "rpt_measures",
        sa.Column("measure_id", sa.Text, primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("referral_id", sa.Text, nullable=False, index=True),
        sa.Column("cohort_id", sa.Text, nullable=False),
        sa.Column("condition", sa.Text, nullable=False),
        sa.Column("programme", sa.Text, nullable=False),
        sa.Column("instrument", sa.Text, nullable=False),
        sa.Column("timepoint", sa.Text, nullable=False),
        sa.Column("assessed_on", sa.Date, nullable=False),
        *(sa.Column(column, sa.SmallInteger) for column in SCALE_COLUMNS),
    )


def downgrade() -> None:
    for table in (
        "rpt_measures",
        "rpt_group_cancellations",
        "rpt_group_attendance",
        "rpt_group_sessions",
        "rpt_cohort_members",
        "rpt_cohorts",
    ):
        op.drop_table(table)
