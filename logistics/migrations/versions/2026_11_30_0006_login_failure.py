"""Failed logins in the database: the per-account throttle counts them (not Redis, which may
be down; not successful logins), with the device a known browser proves by its cookie.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 09:00:00

"""
import sqlalchemy as sa
from alembic import op

import logistics.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("device", sa.String(length=64), nullable=True),
        sa.Column("at", logistics.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    op.create_index("ix_login_failure_account_at", "login_failure", ["account", "at"])


def downgrade():
    op.drop_index("ix_login_failure_account_at", table_name="login_failure")
    op.drop_table("login_failure")
