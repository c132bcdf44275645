"""Names in Danish too (issue 14): activities (and their briefing), places, stock items,
clothing product groups and stock locations may have a Danish name, shown on Danish pages
instead of the first one when it is set.

Revision ID: 0140
Revises: 0090
Create Date: 2026-11-30 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0140"
down_revision = "0090"
branch_labels = None
depends_on = None

COLUMNS = [
    ("activity", "name_da", sa.String(80)),
    ("activity", "briefing_da", sa.Text()),
    ("place", "name_da", sa.String(80)),
    ("stock_item", "name_da", sa.String(120)),
    ("stock_product_group", "name_da", sa.String(120)),
    ("stock_location", "name_da", sa.String(80)),
]


def upgrade():
    for table, column, type_ in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, type_, nullable=True))


def downgrade():
    for table, column, _type in reversed(COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
