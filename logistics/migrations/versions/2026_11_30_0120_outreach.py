"""After the shift (issue 12): outreach_partner (the managed referral list, seeded here),
outreach_tally with outreach_referral (anonymous counts per shift), outreach_checkout ("back
safe" per member of a street outreach shift) and outreach_alert (one alert per shift).

Revision ID: 0120
Revises: 0111
Create Date: 2026-11-30 10:00:00

"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

import logistics.db

revision = "0120"
down_revision = "0111"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outreach_partner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_partner')),
    sa.UniqueConstraint('code', name=op.f('uq_outreach_partner_code')),
    sa.UniqueConstraint('name', name=op.f('uq_outreach_partner_name'))
    )
    op.create_table('outreach_alert',
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('missing', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_outreach_alert_shift_id_shift'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('shift_id', name=op.f('pk_outreach_alert'))
    )
    op.create_table('outreach_checkout',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cleared_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['cleared_by_id'], ['user.id'], name=op.f('fk_outreach_checkout_cleared_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_outreach_checkout_shift_id_shift'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_outreach_checkout_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_checkout')),
    sa.UniqueConstraint('shift_id', 'user_id', name=op.f('uq_outreach_checkout_shift_id_user_id'))
    )
    with op.batch_alter_table('outreach_checkout', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_checkout_user_id'), ['user_id'], unique=False)

    op.create_table('outreach_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('women', sa.Integer(), nullable=False),
    sa.Column('men', sa.Integer(), nullable=False),
    sa.Column('transgender', sa.Integer(), nullable=False),
    sa.Column('not_stated', sa.Integer(), nullable=False),
    sa.Column('new_contacts', sa.Integer(), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', logistics.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('calls >= 0 AND visits >= 0', name=op.f('ck_outreach_tally_calls_visits_not_negative')),
    sa.CheckConstraint('new_contacts >= 0 AND new_contacts <= women + men + transgender + not_stated', name=op.f('ck_outreach_tally_new_within_contacts')),
    sa.CheckConstraint('women >= 0 AND men >= 0 AND transgender >= 0 AND not_stated >= 0', name=op.f('ck_outreach_tally_contacts_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_outreach_tally_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_outreach_tally_shift_id_shift'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_outreach_tally_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_tally')),
    sa.UniqueConstraint('shift_id', name=op.f('uq_outreach_tally_shift_id'))
    )
    op.create_table('outreach_referral',
    sa.Column('tally_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count > 0', name=op.f('ck_outreach_referral_count_positive')),
    sa.ForeignKeyConstraint(['partner_id'], ['outreach_partner.id'], name=op.f('fk_outreach_referral_partner_id_outreach_partner')),
    sa.ForeignKeyConstraint(['tally_id'], ['outreach_tally.id'], name=op.f('fk_outreach_referral_tally_id_outreach_tally'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tally_id', 'partner_id', name=op.f('pk_outreach_referral'))
    )
    with op.batch_alter_table('outreach_referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_referral_partner_id'), ['partner_id'], unique=False)

    # The partners named in issue 12; coordinators add, rename and retire them later.
    partner = sa.table("outreach_partner", sa.column("name", sa.String), sa.column("code", sa.String),
                       sa.column("position", sa.Integer), sa.column("is_active", sa.Boolean),
                       sa.column("created_at", logistics.db.UTCDateTime(timezone=True)))
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(partner, [
        {"name": name, "code": code, "position": i * 10, "is_active": True, "created_at": now}
        for i, (name, code) in enumerate([
            ("CMM", "cmm"), ("Reden International", "reden"), ("Ami Ami", "ami_ami"),
            ("Red Cross clinic for undocumented migrants", "red_cross"), ("Hospital", "hospital"),
            ("Other", "other")])
    ])



def downgrade():
    with op.batch_alter_table('outreach_referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_referral_partner_id'))

    op.drop_table('outreach_referral')
    op.drop_table('outreach_tally')
    with op.batch_alter_table('outreach_checkout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_checkout_user_id'))

    op.drop_table('outreach_checkout')
    op.drop_table('outreach_alert')
    op.drop_table('outreach_partner')
