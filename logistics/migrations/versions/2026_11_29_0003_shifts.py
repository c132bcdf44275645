"""Shifts: activities, places, series, shifts, sign-ups, cover requests and shift events.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-29 04:07:22.641534

"""
from alembic import op
import sqlalchemy as sa

import logistics.db


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.Enum('street_outreach', 'hotline', 'food_distribution', 'packing', 'communal_cooking', 'prison_visit', 'office', 'training', 'other', name='activitykind', native_enum=False, length=24), nullable=False),
    sa.Column('colour', sa.String(length=16), nullable=False),
    sa.Column('briefing', sa.Text(), nullable=False),
    sa.Column('capacity_min', sa.Integer(), nullable=False),
    sa.Column('capacity_max', sa.Integer(), nullable=False),
    sa.Column('cancel_cutoff_hours', sa.Integer(), nullable=False),
    sa.Column('signup_opens_days', sa.Integer(), nullable=False),
    sa.Column('is_discreet', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cancel_cutoff_hours >= 0', name=op.f('ck_activity_cutoff_not_negative')),
    sa.CheckConstraint('capacity_max >= capacity_min', name=op.f('ck_activity_capacity_max_at_least_min')),
    sa.CheckConstraint('capacity_min >= 1', name=op.f('ck_activity_capacity_min_positive')),
    sa.CheckConstraint('signup_opens_days >= 1', name=op.f('ck_activity_opens_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity')),
    sa.UniqueConstraint('name', name=op.f('uq_activity_name'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_kind'), ['kind'], unique=False)

    op.create_table('place',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('office', 'street', 'park', 'church', 'prison', 'other', name='placekind', native_enum=False, length=24), nullable=False),
    sa.Column('is_sensitive', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place')),
    sa.UniqueConstraint('name', name=op.f('uq_place_name'))
    )
    op.create_table('activity_qualification',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('qualification_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_activity_qualification_activity_id_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['qualification_id'], ['qualification.id'], name=op.f('fk_activity_qualification_qualification_id_qualification'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', 'qualification_id', name=op.f('pk_activity_qualification'))
    )
    op.create_table('cover_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_cover_request_activity_id_activity')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_cover_request_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cover_request'))
    )
    op.create_table('shift_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('rrule', sa.String(length=300), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('capacity_min', sa.Integer(), nullable=False),
    sa.Column('capacity_max', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('generated_until', logistics.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity_max >= capacity_min', name=op.f('ck_shift_series_capacity_max_at_least_min')),
    sa.CheckConstraint('capacity_min >= 1', name=op.f('ck_shift_series_capacity_min_positive')),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_shift_series_duration_positive')),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_shift_series_activity_id_activity')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_shift_series_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_shift_series_place_id_place')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift_series'))
    )
    with op.batch_alter_table('shift_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shift_series_activity_id'), ['activity_id'], unique=False)

    op.create_table('shift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('occurrence_start', logistics.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('is_detached', sa.Boolean(), nullable=False),
    sa.Column('starts_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('capacity_min', sa.Integer(), nullable=False),
    sa.Column('capacity_max', sa.Integer(), nullable=False),
    sa.Column('over_capacity', sa.Integer(), nullable=False),
    sa.Column('confirmed_count', sa.Integer(), nullable=False),
    sa.Column('waitlist_count', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'cancelled', name='shiftstatus', native_enum=False, length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('cancelled_at', logistics.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity_max >= capacity_min', name=op.f('ck_shift_capacity_max_at_least_min')),
    sa.CheckConstraint('capacity_min >= 1', name=op.f('ck_shift_capacity_min_positive')),
    sa.CheckConstraint('confirmed_count <= capacity_max + over_capacity', name=op.f('ck_shift_within_capacity')),
    sa.CheckConstraint('confirmed_count >= 0', name=op.f('ck_shift_confirmed_not_negative')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_shift_ends_after_start')),
    sa.CheckConstraint('over_capacity >= 0', name=op.f('ck_shift_over_capacity_not_negative')),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_shift_activity_id_activity')),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_shift_place_id_place')),
    sa.ForeignKeyConstraint(['series_id'], ['shift_series.id'], name=op.f('fk_shift_series_id_shift_series'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift')),
    sa.UniqueConstraint('series_id', 'occurrence_start', name=op.f('uq_shift_series_id_occurrence_start'))
    )
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.create_index('ix_shift_activity_starts_at', ['activity_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_shift_place_id'), ['place_id'], unique=False)
        batch_op.create_index('ix_shift_starts_at_status', ['starts_at', 'status'], unique=False)

    op.create_table('signup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('confirmed', 'waitlisted', 'cancelled', name='signupstatus', native_enum=False, length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('hours', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('swap_offered_at', logistics.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_requested_at', logistics.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_request_reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', logistics.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', logistics.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('hours IS NULL OR (hours >= 0 AND hours <= 24)', name=op.f('ck_signup_hours_range')),
    sa.CheckConstraint('position IS NULL OR position >= 1', name=op.f('ck_signup_position_positive')),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_signup_shift_id_shift'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_signup_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signup')),
    sa.UniqueConstraint('shift_id', 'user_id', name=op.f('uq_signup_shift_id_user_id'))
    )
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.create_index('ix_signup_shift_status_position', ['shift_id', 'status', 'position'], unique=False)
        batch_op.create_index('ix_signup_user_status', ['user_id', 'status'], unique=False)

    op.create_table('shift_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('signup_confirmed', 'promoted', 'shift_changed', 'shift_cancelled', 'removed', 'cover_requested', name='eventkind', native_enum=False, length=24), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=True),
    sa.Column('signup_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('cover_request_id', sa.Integer(), nullable=True),
    sa.Column('shift_version', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', logistics.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cover_request_id'], ['cover_request.id'], name=op.f('fk_shift_event_cover_request_id_cover_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_shift_event_shift_id_shift'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signup_id'], ['signup.id'], name=op.f('fk_shift_event_signup_id_signup'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_shift_event_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift_event'))
    )
    with op.batch_alter_table('shift_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shift_event_shift_id'), ['shift_id'], unique=False)
        batch_op.create_index('ix_shift_event_unsent', ['sent_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shift_event_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('shift_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shift_event_user_id'))
        batch_op.drop_index('ix_shift_event_unsent')
        batch_op.drop_index(batch_op.f('ix_shift_event_shift_id'))

    op.drop_table('shift_event')
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.drop_index('ix_signup_user_status')
        batch_op.drop_index('ix_signup_shift_status_position')

    op.drop_table('signup')
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.drop_index('ix_shift_starts_at_status')
        batch_op.drop_index(batch_op.f('ix_shift_place_id'))
        batch_op.drop_index('ix_shift_activity_starts_at')

    op.drop_table('shift')
    with op.batch_alter_table('shift_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shift_series_activity_id'))

    op.drop_table('shift_series')
    op.drop_table('cover_request')
    op.drop_table('activity_qualification')
    op.drop_table('place')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_kind'))

    op.drop_table('activity')
