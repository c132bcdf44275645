"""One person's sign-ups read from an index alone: (user, status) becomes a covering index
with the shift, attendance, waitlist position, hours and id, the columns the start page, My
shifts, Open shifts, the calendars' marks and a person's hours read. A volunteer's sign-ups
of several years lie on as many table pages; reading those pages had been most of the cost.

Revision ID: 0170
Revises: 0160
Create Date: 2026-11-30 20:15:00

"""
from alembic import op

revision = "0170"
down_revision = "0160"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("signup", schema=None) as batch_op:
        batch_op.create_index("ix_signup_user_cover",
                              ["user_id", "status", "shift_id", "attended", "position", "hours", "id"], unique=False)
        batch_op.drop_index("ix_signup_user_status")


def downgrade():
    with op.batch_alter_table("signup", schema=None) as batch_op:
        batch_op.create_index("ix_signup_user_status", ["user_id", "status"], unique=False)
        batch_op.drop_index("ix_signup_user_cover")
