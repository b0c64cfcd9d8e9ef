"""stars through the year: each 摘星 and 升星 against the approved year's stars

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 16:00:00

The scheme's new settings (摘星 and 升星 reasons, whether 升星 is allowed, whether the board
shows the 星级榜) live in the scheme's JSON: a scheme stored before them reads the defaults.
"""
from alembic import op
import sqlalchemy as sa

import starrating.models.types


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('star_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('remove', 'award', name='changekind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('star_code', sa.String(length=32), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=100), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', starrating.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_star_change_member_id_member')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_star_change_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_star_change_village_id_village')),
    sa.ForeignKeyConstraint(['year_id'], ['assessment_year.id'], name=op.f('fk_star_change_year_id_assessment_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_star_change'))
    )
    with op.batch_alter_table('star_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_star_change_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_star_change_village_id'), ['village_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_star_change_year_id'), ['year_id'], unique=False)


def downgrade():
    with op.batch_alter_table('star_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_star_change_year_id'))
        batch_op.drop_index(batch_op.f('ix_star_change_village_id'))
        batch_op.drop_index(batch_op.f('ix_star_change_member_id'))
    op.drop_table('star_change')
