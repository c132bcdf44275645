"""Remembered filters (issue 9): shift_filter keeps per person the activity chosen on the
calendar, and the activity and hidden activity kinds on Open shifts.

Revision ID: 0090
Revises: 0008
Create Date: 2026-11-30 12:00:00

"""
import sqlalchemy as sa
from alembic import op

import logistics.db

revision = "0090"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "shift_filter",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("calendar_activity_id", sa.Integer(), nullable=True),
        sa.Column("open_activity_id", sa.Integer(), nullable=True),
        sa.Column("hidden_kinds", sa.JSON(), nullable=False),
        sa.Column("updated_at", logistics.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_shift_filter_user_id_user"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["calendar_activity_id"], ["activity.id"],
                                name=op.f("fk_shift_filter_calendar_activity_id_activity"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["open_activity_id"], ["activity.id"],
                                name=op.f("fk_shift_filter_open_activity_id_activity"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_shift_filter")),
    )


def downgrade():
    op.drop_table("shift_filter")
