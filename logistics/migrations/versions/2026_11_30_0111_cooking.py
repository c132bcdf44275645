"""Communal cooking events (issue 11): title, menu, place, time, expected and actual diners
(counts), the stock location ingredients come from, and the cook shift linked by a foreign key.

Revision ID: 0111
Revises: 0110
Create Date: 2026-11-30 09:05:00

"""
import sqlalchemy as sa
from alembic import op

import logistics.db

revision = "0111"
down_revision = "0110"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cooking_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('menu', sa.Text(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expected_diners', sa.Integer(), nullable=False),
    sa.Column('actual_diners', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('planned', 'completed', 'cancelled', name='cookingstatus', native_enum=False, length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('completed_at', logistics.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', logistics.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('actual_diners IS NULL OR actual_diners >= 0', name=op.f('ck_cooking_event_actual_not_negative')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_cooking_event_ends_after_start')),
    sa.CheckConstraint('expected_diners >= 0', name=op.f('ck_cooking_event_expected_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_cooking_event_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['location_id'], ['stock_location.id'], name=op.f('fk_cooking_event_location_id_stock_location')),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_cooking_event_place_id_place')),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_cooking_event_shift_id_shift'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cooking_event')),
    sa.UniqueConstraint('shift_id', name=op.f('uq_cooking_event_shift_id'))
    )
    with op.batch_alter_table('cooking_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cooking_event_starts_at'), ['starts_at'], unique=False)



def downgrade():
    with op.batch_alter_table('cooking_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cooking_event_starts_at'))

    op.drop_table('cooking_event')
