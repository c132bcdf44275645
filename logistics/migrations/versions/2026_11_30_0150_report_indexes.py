"""Indexes for the annual report (issue 16): a period's held shifts by status and start,
a shift's attended sign-ups with who and the hours, the ledger's issues by date, and the
few undo movements, so that a year of a five-year history reads only that year's rows and
mostly from the indexes alone (index-only scans, PostgreSQL and SQLite).

Revision ID: 0150
Revises: 0100
Create Date: 2026-11-30 10:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0150"
down_revision = "0100"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.create_index("ix_shift_status_starts_at_cover",
                              ["status", "starts_at", "ends_at", "activity_id", "id"], unique=False)
    with op.batch_alter_table("signup", schema=None) as batch_op:
        batch_op.create_index("ix_signup_shift_attended_cover", ["shift_id", "status", "attended", "user_id", "hours"],
                              unique=False)
    with op.batch_alter_table("stock_movement", schema=None) as batch_op:
        batch_op.create_index("ix_stock_movement_item_kind_at_cover", ["item_id", "kind", "at", "quantity", "id"],
                              unique=False)
        batch_op.create_index("ix_stock_movement_reversal", ["reverses_id", "id"], unique=False,
                              postgresql_where=sa.text("reverses_id IS NOT NULL"),
                              sqlite_where=sa.text("reverses_id IS NOT NULL"))


def downgrade():
    with op.batch_alter_table("stock_movement", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_movement_reversal")
        batch_op.drop_index("ix_stock_movement_item_kind_at_cover")
    with op.batch_alter_table("signup", schema=None) as batch_op:
        batch_op.drop_index("ix_signup_shift_attended_cover")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index("ix_shift_status_starts_at_cover")
