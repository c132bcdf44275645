"""An item is unique by name, size and fit with "no size" and "no fit" counting as values:
the unique constraint let two "Soap" items (no size, no fit) in when two people added it at
once. The constraint becomes a unique expression index (COALESCE), on SQLite and PostgreSQL.

Existing duplicates would stop the index: they cannot exist from the forms (the service
refused them), only from a race, and are left for an admin to merge if ever found.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stock_item") as batch_op:
        batch_op.drop_constraint("uq_stock_item_name_size_fit", type_="unique")
    op.create_index("ux_stock_item_name_size_fit", "stock_item",
                    ["name", sa.text("coalesce(size, '')"), sa.text("coalesce(fit, '')")], unique=True)


def downgrade():
    op.drop_index("ux_stock_item_name_size_fit", table_name="stock_item")
    with op.batch_alter_table("stock_item") as batch_op:
        batch_op.create_unique_constraint("uq_stock_item_name_size_fit", ["name", "size", "fit"])
