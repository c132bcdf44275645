"""Stock: items, product groups, locations, lots, the movement ledger, balances,
stocktakes, outreach kits, packed outreach bags and one-time form tokens.

Quantities (Fixed3 in the models) are stored as BIGINT thousandths. Partial unique indexes
allow one unfinished count per location and one unreturned outreach per bag.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 04:03:16.690279

"""
from alembic import op
import sqlalchemy as sa

import logistics.db


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stock_kit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_kind', sa.String(length=30), nullable=False),
    sa.Column('updated_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_kit')),
    sa.UniqueConstraint('activity_kind', name=op.f('uq_stock_kit_activity_kind'))
    )
    op.create_table('stock_location',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('is_mobile', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_location')),
    sa.UniqueConstraint('name', name=op.f('uq_stock_location_name'))
    )
    op.create_table('stock_product_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('notes', sa.String(length=1000), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_product_group')),
    sa.UniqueConstraint('name', name=op.f('uq_stock_product_group_name'))
    )
    op.create_table('stock_form_token',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('used_by_id', sa.Integer(), nullable=True),
    sa.Column('used_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('movement_ids', sa.JSON(), nullable=False),
    sa.Column('next_url', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['used_by_id'], ['user.id'], name=op.f('fk_stock_form_token_used_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_stock_form_token'))
    )
    with op.batch_alter_table('stock_form_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_form_token_used_at'), ['used_at'], unique=False)

    op.create_table('stock_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('category', sa.Enum('food', 'hygiene', 'medicine', 'test_kit', 'vaccine', 'clothing', 'food_pack', 'voucher', 'other', name='category', native_enum=False, length=16), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('is_expiry_tracked', sa.Boolean(), nullable=False),
    sa.Column('min_level', sa.BigInteger(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.String(length=1000), nullable=True),
    sa.Column('product_group_id', sa.Integer(), nullable=True),
    sa.Column('size', sa.String(length=20), nullable=True),
    sa.Column('fit', sa.Enum('women', 'men', 'unisex', 'child', name='fit', native_enum=False, length=16), nullable=True),
    sa.Column('created_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('min_level >= 0', name=op.f('ck_stock_item_min_level_not_negative')),
    sa.ForeignKeyConstraint(['product_group_id'], ['stock_product_group.id'], name=op.f('fk_stock_item_product_group_id_stock_product_group'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_item')),
    sa.UniqueConstraint('name', 'size', 'fit', name=op.f('uq_stock_item_name_size_fit'))
    )
    with op.batch_alter_table('stock_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_item_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_item_product_group_id'), ['product_group_id'], unique=False)

    op.create_table('stock_outreach',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_kind', sa.String(length=30), nullable=False),
    sa.Column('from_location_id', sa.Integer(), nullable=False),
    sa.Column('bag_location_id', sa.Integer(), nullable=False),
    sa.Column('reference_type', sa.String(length=30), nullable=True),
    sa.Column('reference_id', sa.Integer(), nullable=True),
    sa.Column('packed_by_id', sa.Integer(), nullable=True),
    sa.Column('packed_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('returned_by_id', sa.Integer(), nullable=True),
    sa.Column('returned_at', logistics.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['bag_location_id'], ['stock_location.id'], name=op.f('fk_stock_outreach_bag_location_id_stock_location')),
    sa.ForeignKeyConstraint(['from_location_id'], ['stock_location.id'], name=op.f('fk_stock_outreach_from_location_id_stock_location')),
    sa.ForeignKeyConstraint(['packed_by_id'], ['user.id'], name=op.f('fk_stock_outreach_packed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['returned_by_id'], ['user.id'], name=op.f('fk_stock_outreach_returned_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_outreach'))
    )
    with op.batch_alter_table('stock_outreach', schema=None) as batch_op:
        batch_op.create_index('ix_stock_outreach_reference', ['reference_type', 'reference_id'], unique=False)
        batch_op.create_index('ux_stock_outreach_open_bag', ['bag_location_id'], unique=True, sqlite_where=sa.text('returned_at IS NULL'), postgresql_where=sa.text('returned_at IS NULL'))

    op.create_table('stock_stocktake',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_by_id', sa.Integer(), nullable=True),
    sa.Column('finished_at', logistics.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['finished_by_id'], ['user.id'], name=op.f('fk_stock_stocktake_finished_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['location_id'], ['stock_location.id'], name=op.f('fk_stock_stocktake_location_id_stock_location')),
    sa.ForeignKeyConstraint(['started_by_id'], ['user.id'], name=op.f('fk_stock_stocktake_started_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_stocktake'))
    )
    with op.batch_alter_table('stock_stocktake', schema=None) as batch_op:
        batch_op.create_index('ux_stock_stocktake_open_location', ['location_id'], unique=True, sqlite_where=sa.text('finished_at IS NULL'), postgresql_where=sa.text('finished_at IS NULL'))

    op.create_table('stock_kit_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kit_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_stock_kit_line_quantity_positive')),
    sa.ForeignKeyConstraint(['item_id'], ['stock_item.id'], name=op.f('fk_stock_kit_line_item_id_stock_item')),
    sa.ForeignKeyConstraint(['kit_id'], ['stock_kit.id'], name=op.f('fk_stock_kit_line_kit_id_stock_kit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_kit_line')),
    sa.UniqueConstraint('kit_id', 'item_id', name=op.f('uq_stock_kit_line_kit_id_item_id'))
    )
    op.create_table('stock_lot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('quarantined_at', logistics.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('quarantine_reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['stock_item.id'], name=op.f('fk_stock_lot_item_id_stock_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_lot')),
    sa.UniqueConstraint('item_id', 'code', name=op.f('uq_stock_lot_item_id_code'))
    )
    with op.batch_alter_table('stock_lot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_lot_expires_on'), ['expires_on'], unique=False)

    op.create_table('stock_balance',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('qty >= 0', name=op.f('ck_stock_balance_qty_not_negative')),
    sa.ForeignKeyConstraint(['item_id'], ['stock_item.id'], name=op.f('fk_stock_balance_item_id_stock_item')),
    sa.ForeignKeyConstraint(['location_id'], ['stock_location.id'], name=op.f('fk_stock_balance_location_id_stock_location')),
    sa.ForeignKeyConstraint(['lot_id'], ['stock_lot.id'], name=op.f('fk_stock_balance_lot_id_stock_lot')),
    sa.PrimaryKeyConstraint('item_id', 'lot_id', 'location_id', name=op.f('pk_stock_balance'))
    )
    with op.batch_alter_table('stock_balance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_balance_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_balance_lot_id'), ['lot_id'], unique=False)

    op.create_table('stock_movement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('receive', 'issue', 'transfer', 'adjust', 'count', 'discard', 'pack', 'unpack', name='movementkind', native_enum=False, length=16), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('from_location_id', sa.Integer(), nullable=True),
    sa.Column('to_location_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('source_kind', sa.Enum('donor', 'supplier', name='sourcekind', native_enum=False, length=16), nullable=True),
    sa.Column('source_name', sa.String(length=120), nullable=True),
    sa.Column('unit_cost', sa.BigInteger(), nullable=True),
    sa.Column('reference_type', sa.String(length=30), nullable=True),
    sa.Column('reference_id', sa.Integer(), nullable=True),
    sa.Column('stocktake_id', sa.Integer(), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('from_location_id IS NOT NULL OR to_location_id IS NOT NULL', name=op.f('ck_stock_movement_has_location')),
    sa.CheckConstraint('from_location_id IS NULL OR to_location_id IS NULL OR from_location_id <> to_location_id', name=op.f('ck_stock_movement_distinct_locations')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_stock_movement_quantity_positive')),
    sa.ForeignKeyConstraint(['by_id'], ['user.id'], name=op.f('fk_stock_movement_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['from_location_id'], ['stock_location.id'], name=op.f('fk_stock_movement_from_location_id_stock_location')),
    sa.ForeignKeyConstraint(['item_id'], ['stock_item.id'], name=op.f('fk_stock_movement_item_id_stock_item')),
    sa.ForeignKeyConstraint(['lot_id'], ['stock_lot.id'], name=op.f('fk_stock_movement_lot_id_stock_lot')),
    sa.ForeignKeyConstraint(['reverses_id'], ['stock_movement.id'], name=op.f('fk_stock_movement_reverses_id_stock_movement')),
    sa.ForeignKeyConstraint(['stocktake_id'], ['stock_stocktake.id'], name=op.f('fk_stock_movement_stocktake_id_stock_stocktake')),
    sa.ForeignKeyConstraint(['to_location_id'], ['stock_location.id'], name=op.f('fk_stock_movement_to_location_id_stock_location')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_movement')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_stock_movement_reverses_id'))
    )
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_movement_at'), ['at'], unique=False)
        batch_op.create_index('ix_stock_movement_item_at', ['item_id', 'at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movement_lot_id'), ['lot_id'], unique=False)
        batch_op.create_index('ix_stock_movement_reference', ['reference_type', 'reference_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movement_stocktake_id'), ['stocktake_id'], unique=False)

    op.create_table('stock_stocktake_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stocktake_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('expected_qty', sa.BigInteger(), nullable=False),
    sa.Column('counted_qty', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('counted_qty IS NULL OR counted_qty >= 0', name=op.f('ck_stock_stocktake_line_counted_not_negative')),
    sa.ForeignKeyConstraint(['item_id'], ['stock_item.id'], name=op.f('fk_stock_stocktake_line_item_id_stock_item')),
    sa.ForeignKeyConstraint(['lot_id'], ['stock_lot.id'], name=op.f('fk_stock_stocktake_line_lot_id_stock_lot')),
    sa.ForeignKeyConstraint(['stocktake_id'], ['stock_stocktake.id'], name=op.f('fk_stock_stocktake_line_stocktake_id_stock_stocktake'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_stocktake_line')),
    sa.UniqueConstraint('stocktake_id', 'lot_id', name=op.f('uq_stock_stocktake_line_stocktake_id_lot_id'))
    )


def downgrade():
    op.drop_table('stock_stocktake_line')
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_movement_stocktake_id'))
        batch_op.drop_index('ix_stock_movement_reference')
        batch_op.drop_index(batch_op.f('ix_stock_movement_lot_id'))
        batch_op.drop_index('ix_stock_movement_item_at')
        batch_op.drop_index(batch_op.f('ix_stock_movement_at'))

    op.drop_table('stock_movement')
    with op.batch_alter_table('stock_balance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_balance_lot_id'))
        batch_op.drop_index(batch_op.f('ix_stock_balance_location_id'))

    op.drop_table('stock_balance')
    with op.batch_alter_table('stock_lot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_lot_expires_on'))

    op.drop_table('stock_lot')
    op.drop_table('stock_kit_line')
    with op.batch_alter_table('stock_stocktake', schema=None) as batch_op:
        batch_op.drop_index('ux_stock_stocktake_open_location', sqlite_where=sa.text('finished_at IS NULL'), postgresql_where=sa.text('finished_at IS NULL'))

    op.drop_table('stock_stocktake')
    with op.batch_alter_table('stock_outreach', schema=None) as batch_op:
        batch_op.drop_index('ux_stock_outreach_open_bag', sqlite_where=sa.text('returned_at IS NULL'), postgresql_where=sa.text('returned_at IS NULL'))
        batch_op.drop_index('ix_stock_outreach_reference')

    op.drop_table('stock_outreach')
    with op.batch_alter_table('stock_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_item_product_group_id'))
        batch_op.drop_index(batch_op.f('ix_stock_item_category'))

    op.drop_table('stock_item')
    with op.batch_alter_table('stock_form_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_form_token_used_at'))

    op.drop_table('stock_form_token')
    op.drop_table('stock_product_group')
    op.drop_table('stock_location')
    op.drop_table('stock_kit')
