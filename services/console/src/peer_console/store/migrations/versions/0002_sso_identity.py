"""Single sign-on: the provider identity (e.g. an NHS mail address) linked to an account.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("sso_identity", sa.String(320), nullable=True))
    op.create_unique_constraint("accounts_sso_identity_key", "accounts", ["sso_identity"])


def downgrade() -> None:
    op.drop_constraint("accounts_sso_identity_key", "accounts", type_="unique")
    op.drop_column("accounts", "sso_identity")
