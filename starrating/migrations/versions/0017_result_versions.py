"""stored result versions of a village-year, and the versions a submission and an approval name

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-03 15:40:00

Years published before this revision get their versions from the data step that
`flask --app starrating init-db` (bin/demo, deployments) runs after upgrading
(services/version_backfill.py): it works them out with the rules of the running code.
"""
from alembic import op
import sqlalchemy as sa

import starrating.models.types


revision = '0017'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('result_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('part', sa.Enum('tenstar', 'cadres', name='part', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('content_digest', sa.String(length=64), nullable=False),
    sa.Column('inputs_digest', sa.String(length=64), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('scheme_version', sa.Integer(), nullable=False),
    sa.Column('made_at', starrating.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', starrating.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('publicity_ends_on', sa.Date(), nullable=True),
    sa.Column('publication', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['made_by_id'], ['user_account.id'], name=op.f('fk_result_version_made_by_id_user_account')),
    sa.ForeignKeyConstraint(['scheme_id'], ['scheme.id'], name=op.f('fk_result_version_scheme_id_scheme')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['user_account.id'], name=op.f('fk_result_version_signed_by_id_user_account')),
    sa.ForeignKeyConstraint(['year_id'], ['assessment_year.id'], name=op.f('fk_result_version_year_id_assessment_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_version')),
    sa.UniqueConstraint('year_id', 'part', 'number', name=op.f('uq_result_version_year_id_part_number'))
    )
    with op.batch_alter_table('result_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_version_year_id'), ['year_id'], unique=False)
    with op.batch_alter_table('year_review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('versions', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('year_review', schema=None) as batch_op:
        batch_op.drop_column('versions')
    with op.batch_alter_table('result_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_version_year_id'))
    op.drop_table('result_version')
