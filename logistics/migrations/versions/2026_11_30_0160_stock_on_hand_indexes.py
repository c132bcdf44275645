"""The positive balances indexed for the start page's stock numbers: each balance keeps a copy
of its lot's expiry date (a lot's expiry never changes once received), indexed where the
quantity is positive, and an (item, quantity) index of the same rows for the items below
their minimum. Expiring, expired and below-minimum are then read from the indexes, not by
joining every balance to its lot.

Revision ID: 0160
Revises: 0150
Create Date: 2026-11-30 17:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0160"
down_revision = "0150"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stock_balance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_on", sa.Date(), nullable=True))
    op.execute("UPDATE stock_balance SET expires_on = "
               "(SELECT stock_lot.expires_on FROM stock_lot WHERE stock_lot.id = stock_balance.lot_id)")
    with op.batch_alter_table("stock_balance", schema=None) as batch_op:
        batch_op.create_index("ix_stock_balance_on_hand_expiry", ["expires_on"], unique=False,
                              postgresql_where=sa.text("qty > 0"), sqlite_where=sa.text("qty > 0"))
        batch_op.create_index("ix_stock_balance_on_hand_item", ["item_id", "qty"], unique=False,
                              postgresql_where=sa.text("qty > 0"), sqlite_where=sa.text("qty > 0"))


def downgrade():
    with op.batch_alter_table("stock_balance", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_balance_on_hand_item")
        batch_op.drop_index("ix_stock_balance_on_hand_expiry")
        batch_op.drop_column("expires_on")
