"""Join the stock (0002) and shifts (0003) branches, built side by side on 0001.

Revision ID: 0004
Revises: 0002, 0003
Create Date: 2026-11-29 04:40:00

"""

revision = "0004"
down_revision = ("0002", "0003")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
