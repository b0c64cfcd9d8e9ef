"""print runs: each print job's serials and the scan test of its cover page

Revision ID: 0012
Revises: 0016
Create Date: 2026-12-05 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

import starrating.models.types

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('print_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('first_serial', sa.Integer(), nullable=False),
    sa.Column('last_serial', sa.Integer(), nullable=False),
    sa.Column('replaces', sa.JSON(), nullable=True),
    sa.Column('base_url', sa.String(length=200), nullable=False),
    sa.Column('printed_by_id', sa.Integer(), nullable=False),
    sa.Column('printed_at', starrating.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('probe', sa.String(length=32), nullable=False),
    sa.Column('scanned_at', starrating.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_scanned_at', starrating.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('scan_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['printed_by_id'], ['user_account.id'], name=op.f('fk_print_run_printed_by_id_user_account')),
    sa.ForeignKeyConstraint(['round_id'], ['ballot_round.id'], name=op.f('fk_print_run_round_id_ballot_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_run')),
    sa.UniqueConstraint('probe', name=op.f('uq_print_run_probe'))
    )
    with op.batch_alter_table('print_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_print_run_round_id'), ['round_id'], unique=False)


def downgrade():
    with op.batch_alter_table('print_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_print_run_round_id'))
    op.drop_table('print_run')
