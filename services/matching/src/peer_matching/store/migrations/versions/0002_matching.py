"""Mentor registry, mentees awaiting a match, and matches (proposals and confirmed).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('proposed', 'confirmed')")


def upgrade() -> None:
    op.create_table(
        "mentor",
        sa.Column("mentor_id", sa.Text, primary_key=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("conditions", ARRAY(sa.Text), nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("postcode_district", sa.Text, nullable=False),
        sa.Column("travel_km", sa.Float, nullable=False),
        sa.Column("gender", sa.Text, nullable=False),
        *(sa.Column(name, ARRAY(sa.Text), nullable=False) for name in _MENTOR_CODE_LISTS),
        sa.Column("dbs_checked_on", sa.Date),
        sa.Column("safeguarding_refreshed_on", sa.Date),
        sa.Column("registered_on", sa.Date, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("capacity BETWEEN 1 AND 20", name="mentor_capacity_range"),
        sa.CheckConstraint("travel_km >= 0", name="mentor_travel_non_negative"),
    )
    op.create_index("mentor_conditions", "mentor", ["conditions"], postgresql_using="gin")
    op.create_table(
        "mentor_training",
        sa.Column(
            "mentor_id", sa.Text, sa.ForeignKey("mentor.mentor_id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("module", sa.Text, nullable=False),
        sa.Column("completed_on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("mentor_id", "module"),
    )
    op.create_table(
        "mentor_contact",
        sa.Column(
            "mentor_id", sa.Text, sa.ForeignKey("mentor.mentor_id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("full_name", sa.Text, nullable=False),
        sa.Column("email", sa.Text),
        sa.Column("phone", sa.Text),
    )
    op.create_table(
        "mentee",
        sa.Column("referral_id", sa.Text, primary_key=True),
        sa.Column("condition", sa.Text, nullable=False),
        sa.Column("programme", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("gender", sa.Text),
        sa.Column("age_band", sa.Text),
        sa.Column("postcode_district", sa.Text),
        sa.Column("preferred_language", sa.Text),
        sa.Column("preferences", JSONB),
        sa.Column("preferences_confirmed", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("received_on", sa.Date),
        sa.Column("accepted_on", sa.Date),
        sa.Column("waiting_since", sa.DateTime(timezone=True)),
        sa.Column("rematch", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("correlation_id", sa.Uuid),
        sa.Column("wait_code", sa.Text),
        sa.Column("wait_message", sa.Text),
        sa.Column("wait_funnel", JSONB),
        sa.Column("closed_reason", sa.Text),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("mentee_waiting", "mentee", ["condition", "state"])
    op.create_table(
        "match",
        sa.Column("match_id", sa.Text, primary_key=True),
        sa.Column("referral_id", sa.Text, sa.ForeignKey("mentee.referral_id"), nullable=False),
        sa.Column("mentor_id", sa.Text, sa.ForeignKey("mentor.mentor_id"), nullable=False),
        sa.Column("condition", sa.Text, nullable=False),
        sa.Column("programme", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("mode", sa.Text, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("priority", sa.Float, nullable=False),
        sa.Column("distance_km", sa.Float),
        sa.Column("components", JSONB, nullable=False),
        sa.Column("reasons", ARRAY(sa.Text), nullable=False),
        sa.Column("passed_over", JSONB, nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decided_by", sa.Text),
        sa.Column("coordinator_id", sa.Text),
        sa.Column("override_of", sa.Text, sa.ForeignKey("match.match_id")),
        sa.Column("override_reason", sa.Text),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("end_reason", sa.Text),
    )
    op.create_index("match_mentor_open", "match", ["mentor_id"], postgresql_where=OPEN)
    op.create_index(
        "match_one_open_per_referral", "match", ["referral_id"], unique=True, postgresql_where=OPEN
    )


def downgrade() -> None:
    for table in ("match", "mentee", "mentor_contact", "mentor_training", "mentor"):
        op.drop_table(table)


_MENTOR_CODE_LISTS = ("languages", "availability", "experience", "interests", "contact_modes")
