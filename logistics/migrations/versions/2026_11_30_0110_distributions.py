"""Food-pack distributions (issue 11): pack recipes are stock kits with a pack item instead
of an activity kind (one model for "a list of items"); distributions with their copied recipe
lines, their packing and hand-out shifts, and the planned months (one plan per month).

Revision ID: 0110
Revises: 0130
Create Date: 2026-11-30 09:00:00

"""
import sqlalchemy as sa
from alembic import op

import logistics.db
import logistics.stock.models


revision = "0110"
down_revision = "0130"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('distribution_month',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_distribution_month_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_distribution_month'))
    )
    op.create_table('distribution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'packed', 'completed', 'cancelled', name='distributionstatus', native_enum=False, length=16), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('packing_shift_id', sa.Integer(), nullable=True),
    sa.Column('handout_shift_id', sa.Integer(), nullable=True),
    sa.Column('women', sa.Integer(), nullable=True),
    sa.Column('men', sa.Integer(), nullable=True),
    sa.Column('transgender', sa.Integer(), nullable=True),
    sa.Column('not_stated', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('packed_at', logistics.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', logistics.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', logistics.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('men IS NULL OR men >= 0', name=op.f('ck_distribution_men_not_negative')),
    sa.CheckConstraint('not_stated IS NULL OR not_stated >= 0', name=op.f('ck_distribution_not_stated_not_negative')),
    sa.CheckConstraint('transgender IS NULL OR transgender >= 0', name=op.f('ck_distribution_transgender_not_negative')),
    sa.CheckConstraint('women IS NULL OR women >= 0', name=op.f('ck_distribution_women_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_distribution_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['handout_shift_id'], ['shift.id'], name=op.f('fk_distribution_handout_shift_id_shift'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['location_id'], ['stock_location.id'], name=op.f('fk_distribution_location_id_stock_location')),
    sa.ForeignKeyConstraint(['packing_shift_id'], ['shift.id'], name=op.f('fk_distribution_packing_shift_id_shift'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distribution')),
    sa.UniqueConstraint('handout_shift_id', name=op.f('uq_distribution_handout_shift_id')),
    sa.UniqueConstraint('packing_shift_id', name=op.f('uq_distribution_packing_shift_id'))
    )
    with op.batch_alter_table('distribution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_distribution_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_distribution_status'), ['status'], unique=False)
        batch_op.create_index('ux_distribution_day_active', ['day'], unique=True, sqlite_where=sa.text("status <> 'cancelled'"), postgresql_where=sa.text("status <> 'cancelled'"))

    op.create_table('distribution_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('distribution_id', sa.Integer(), nullable=False),
    sa.Column('pack_item_id', sa.Integer(), nullable=False),
    sa.Column('recipe_id', sa.Integer(), nullable=True),
    sa.Column('planned_packs', sa.Integer(), nullable=False),
    sa.Column('packed_packs', sa.Integer(), nullable=False),
    sa.Column('handed_out_packs', sa.Integer(), nullable=True),
    sa.CheckConstraint('handed_out_packs IS NULL OR (handed_out_packs >= 0 AND handed_out_packs <= packed_packs)', name=op.f('ck_distribution_line_handed_out_within_packed')),
    sa.CheckConstraint('packed_packs >= 0 AND packed_packs <= planned_packs', name=op.f('ck_distribution_line_packed_within_plan')),
    sa.CheckConstraint('planned_packs > 0', name=op.f('ck_distribution_line_planned_positive')),
    sa.ForeignKeyConstraint(['distribution_id'], ['distribution.id'], name=op.f('fk_distribution_line_distribution_id_distribution'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pack_item_id'], ['stock_item.id'], name=op.f('fk_distribution_line_pack_item_id_stock_item')),
    sa.ForeignKeyConstraint(['recipe_id'], ['stock_kit.id'], name=op.f('fk_distribution_line_recipe_id_stock_kit'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distribution_line')),
    sa.UniqueConstraint('distribution_id', 'pack_item_id', name=op.f('uq_distribution_line_distribution_id_pack_item_id'))
    )
    with op.batch_alter_table('distribution_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_distribution_line_pack_item_id'), ['pack_item_id'], unique=False)

    op.create_table('distribution_component',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('quantity', logistics.stock.models.Fixed3(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_distribution_component_quantity_positive')),
    sa.ForeignKeyConstraint(['item_id'], ['stock_item.id'], name=op.f('fk_distribution_component_item_id_stock_item')),
    sa.ForeignKeyConstraint(['line_id'], ['distribution_line.id'], name=op.f('fk_distribution_component_line_id_distribution_line'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distribution_component')),
    sa.UniqueConstraint('line_id', 'item_id', name=op.f('uq_distribution_component_line_id_item_id'))
    )
    with op.batch_alter_table('distribution_component', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_distribution_component_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('stock_kit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pack_item_id', sa.Integer(), nullable=True))
        batch_op.alter_column('activity_kind',
               existing_type=sa.VARCHAR(length=30),
               nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_stock_kit_pack_item_id'), ['pack_item_id'])
        batch_op.create_foreign_key(batch_op.f('fk_stock_kit_pack_item_id_stock_item'), 'stock_item', ['pack_item_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_stock_kit_kind_or_pack'),
                                         '(activity_kind IS NULL) <> (pack_item_id IS NULL)')



def downgrade():
    op.execute("DELETE FROM stock_kit_line WHERE kit_id IN (SELECT id FROM stock_kit WHERE pack_item_id IS NOT NULL)")
    op.execute("DELETE FROM stock_kit WHERE pack_item_id IS NOT NULL")
    with op.batch_alter_table('stock_kit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_stock_kit_kind_or_pack'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_stock_kit_pack_item_id_stock_item'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_stock_kit_pack_item_id'), type_='unique')
        batch_op.alter_column('activity_kind',
               existing_type=sa.VARCHAR(length=30),
               nullable=False)
        batch_op.drop_column('pack_item_id')

    with op.batch_alter_table('distribution_component', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_distribution_component_item_id'))

    op.drop_table('distribution_component')
    with op.batch_alter_table('distribution_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_distribution_line_pack_item_id'))

    op.drop_table('distribution_line')
    with op.batch_alter_table('distribution', schema=None) as batch_op:
        batch_op.drop_index('ux_distribution_day_active', sqlite_where=sa.text("status <> 'cancelled'"), postgresql_where=sa.text("status <> 'cancelled'"))
        batch_op.drop_index(batch_op.f('ix_distribution_status'))
        batch_op.drop_index(batch_op.f('ix_distribution_day'))

    op.drop_table('distribution')
    op.drop_table('distribution_month')
