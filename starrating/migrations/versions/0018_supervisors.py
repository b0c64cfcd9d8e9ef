"""the 村务监督委员会: the supervisor role, its seats; a cadre's post kind and close relatives

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 16:00:00

A new village role `supervisor` (监委会成员): the role's CHECK constraint on user_account is
rebuilt with it. Cadres made before this revision have no post kind (shown as 未填写).
"""
from alembic import op
import sqlalchemy as sa

import starrating.models.types


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

OLD_ROLES = ('township', 'secretary', 'committee', 'teller', 'cadre')
NEW_ROLES = OLD_ROLES + ('supervisor',)


def _roles(roles):
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_account_role'), type_='check')
        batch_op.create_check_constraint(
            'role', sa.column('role').in_(roles)
        )


def upgrade():
    _roles(NEW_ROLES)
    with op.batch_alter_table('village', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supervisors_established_at', starrating.models.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('cadre', schema=None) as batch_op:
        batch_op.add_column(sa.Column('post_kind', sa.Enum('village_committee', 'party', 'staff', name='postkind', native_enum=False, create_constraint=True, length=20), nullable=True))
    op.create_table('supervisor_seat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('is_chair', sa.Boolean(), nullable=False),
    sa.Column('joined_at', starrating.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_supervisor_seat_user_id_user_account')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_supervisor_seat_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervisor_seat')),
    sa.UniqueConstraint('user_id', name=op.f('uq_supervisor_seat_user_id'))
    )
    with op.batch_alter_table('supervisor_seat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervisor_seat_village_id'), ['village_id'], unique=False)
    op.create_table('cadre_relative',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadre.id'], name=op.f('fk_cadre_relative_cadre_id_cadre')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_cadre_relative_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cadre_relative'))
    )
    with op.batch_alter_table('cadre_relative', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cadre_relative_cadre_id'), ['cadre_id'], unique=False)


def downgrade():
    with op.batch_alter_table('cadre_relative', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cadre_relative_cadre_id'))
    op.drop_table('cadre_relative')
    with op.batch_alter_table('supervisor_seat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervisor_seat_village_id'))
    op.drop_table('supervisor_seat')
    with op.batch_alter_table('cadre', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_cadre_postkind'), type_='check')
        batch_op.drop_column('post_kind')
    with op.batch_alter_table('village', schema=None) as batch_op:
        batch_op.drop_column('supervisors_established_at')
    # a downgraded database has no such role: the accounts are kept, disabled, as the least
    # privileged village role
    op.execute(sa.text(
        "UPDATE user_account SET role = 'cadre', active = false WHERE role = 'supervisor'"
    ))
    _roles(OLD_ROLES)
