"""Partial indexes for the sign-ups' sparse flags (issue 13): the swap offers on Open shifts
and the cancellation requests on a coordinator's start page read only the few sign-ups whose
flag is set, instead of scanning all of them.

Revision ID: 0130
Revises: 0140
Create Date: 2026-11-30 13:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0130"
down_revision = "0140"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("signup", schema=None) as batch_op:
        batch_op.create_index("ix_signup_swap_offered", ["shift_id", "status"], unique=False,
                              postgresql_where=sa.text("swap_offered_at IS NOT NULL"),
                              sqlite_where=sa.text("swap_offered_at IS NOT NULL"))
        batch_op.create_index("ix_signup_cancel_requested", ["shift_id", "status"], unique=False,
                              postgresql_where=sa.text("cancel_requested_at IS NOT NULL"),
                              sqlite_where=sa.text("cancel_requested_at IS NOT NULL"))


def downgrade():
    with op.batch_alter_table("signup", schema=None) as batch_op:
        batch_op.drop_index("ix_signup_cancel_requested")
        batch_op.drop_index("ix_signup_swap_offered")
