"""receipts apart from marks; paper entry voids; written-off codes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 12:35:32.020073

The receipts of ballots already cast move to their own table, in the order of the receipts
(not of the ballots), with ids of their own; the ballots keep only their marks.
"""
import secrets

from alembic import op
import sqlalchemy as sa

import starrating.models.types

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ballot_receipt',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('receipt', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['ballot_round.id'], name=op.f('fk_ballot_receipt_round_id_ballot_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_receipt')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('ballot_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_receipt_round_id'), ['round_id'], unique=False)

    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT round_id, receipt FROM cast_ballot ORDER BY round_id, receipt")
    ).all()
    if rows:
        receipts = sa.table(
            'ballot_receipt', sa.column('id'), sa.column('round_id'), sa.column('receipt')
        )
        op.bulk_insert(
            receipts,
            [{'id': secrets.token_hex(16), 'round_id': r, 'receipt': c} for r, c in rows],
        )

    with op.batch_alter_table('ballot_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('written_off_at', starrating.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('written_off_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('written_off_count', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_ballot_round_written_off_by_id_user_account'), 'user_account', ['written_off_by_id'], ['id'])

    with op.batch_alter_table('ballot_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('written_off', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('ballot_token', schema=None) as batch_op:
        batch_op.alter_column('written_off', server_default=None)

    # SQLite rebuilds the table: keep it WITHOUT ROWID (stored in the order of the random id)
    with op.batch_alter_table(
        'cast_ballot', schema=None, table_kwargs={'sqlite_with_rowid': False}
    ) as batch_op:
        batch_op.drop_column('receipt')

    with op.batch_alter_table('paper_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('void_reason', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('voided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('void_confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('voided_at', starrating.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.alter_column('marks', existing_type=sa.JSON(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_paper_entry_voided_by_id_user_account'), 'user_account', ['voided_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_paper_entry_void_confirmed_by_id_user_account'), 'user_account', ['void_confirmed_by_id'], ['id'])


def downgrade():
    # the receipts cannot be put back beside their ballots (nothing links them): a downgrade
    # gives every ballot an empty receipt
    with op.batch_alter_table('paper_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_paper_entry_void_confirmed_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_paper_entry_voided_by_id_user_account'), type_='foreignkey')
        batch_op.alter_column('marks', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('voided_at')
        batch_op.drop_column('void_confirmed_by_id')
        batch_op.drop_column('voided_by_id')
        batch_op.drop_column('void_reason')

    with op.batch_alter_table(
        'cast_ballot', schema=None, table_kwargs={'sqlite_with_rowid': False}
    ) as batch_op:
        batch_op.add_column(sa.Column('receipt', sa.VARCHAR(length=12), nullable=False, server_default=''))

    with op.batch_alter_table('ballot_token', schema=None) as batch_op:
        batch_op.drop_column('written_off')

    with op.batch_alter_table('ballot_round', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ballot_round_written_off_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('written_off_count')
        batch_op.drop_column('written_off_by_id')
        batch_op.drop_column('written_off_at')

    with op.batch_alter_table('ballot_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_receipt_round_id'))

    op.drop_table('ballot_receipt')
