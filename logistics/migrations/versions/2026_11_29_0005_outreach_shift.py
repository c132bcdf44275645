"""The outreach bag names its shift: stock_outreach.shift_id (a real foreign key).

The generic (reference_type, reference_id) pair on stock_outreach is retired: it only ever
waited for the shift, and a foreign key with ON DELETE SET NULL says the same with the
database's guarantee. A pair ("shift", id) pointing at an existing shift is carried over.
Movements keep their own (reference_type, reference_id) = ("outreach", id).

A shift gets at most one packed, unreturned bag (partial unique index, like the one that
keeps a bag on one outreach at a time).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 05:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OPEN_BAG_WHERE = "returned_at IS NULL"
OPEN_SHIFT_WHERE = "returned_at IS NULL AND shift_id IS NOT NULL"


def _open_bag_index(batch_op):
    batch_op.create_index("ux_stock_outreach_open_bag", ["bag_location_id"], unique=True,
                          sqlite_where=sa.text(OPEN_BAG_WHERE), postgresql_where=sa.text(OPEN_BAG_WHERE))


def upgrade():
    with op.batch_alter_table("stock_outreach", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shift_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_stock_outreach_shift_id_shift"), "shift", ["shift_id"], ["id"],
                                    ondelete="SET NULL")
        batch_op.create_index(batch_op.f("ix_stock_outreach_shift_id"), ["shift_id"], unique=False)

    # Carry over ("shift", id) references to shifts that exist; of several open bags for one
    # shift only the first keeps the link (the new unique index allows one).
    op.execute(
        "UPDATE stock_outreach SET shift_id = reference_id "
        "WHERE reference_type = 'shift' AND reference_id IN (SELECT id FROM shift) "
        "AND (returned_at IS NOT NULL OR id = (SELECT MIN(o2.id) FROM stock_outreach o2 "
        "WHERE o2.reference_type = 'shift' AND o2.reference_id = stock_outreach.reference_id "
        "AND o2.returned_at IS NULL))"
    )

    # Dropping columns recreates the table on SQLite: the partial bag index is dropped and
    # made again explicitly so its WHERE clause cannot be lost on the way.
    with op.batch_alter_table("stock_outreach", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_outreach_reference")
        batch_op.drop_index("ux_stock_outreach_open_bag")
        batch_op.drop_column("reference_type")
        batch_op.drop_column("reference_id")
    with op.batch_alter_table("stock_outreach", schema=None) as batch_op:
        _open_bag_index(batch_op)
        batch_op.create_index("ux_stock_outreach_open_shift", ["shift_id"], unique=True,
                              sqlite_where=sa.text(OPEN_SHIFT_WHERE), postgresql_where=sa.text(OPEN_SHIFT_WHERE))


def downgrade():
    with op.batch_alter_table("stock_outreach", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference_type", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("reference_id", sa.Integer(), nullable=True))
    op.execute("UPDATE stock_outreach SET reference_type = 'shift', reference_id = shift_id "
               "WHERE shift_id IS NOT NULL")
    with op.batch_alter_table("stock_outreach", schema=None) as batch_op:
        batch_op.drop_index("ux_stock_outreach_open_shift")
        batch_op.drop_index(batch_op.f("ix_stock_outreach_shift_id"))
        batch_op.drop_index("ux_stock_outreach_open_bag")
        batch_op.drop_constraint(batch_op.f("fk_stock_outreach_shift_id_shift"), type_="foreignkey")
        batch_op.drop_column("shift_id")
    with op.batch_alter_table("stock_outreach", schema=None) as batch_op:
        _open_bag_index(batch_op)
        batch_op.create_index("ix_stock_outreach_reference", ["reference_type", "reference_id"], unique=False)
