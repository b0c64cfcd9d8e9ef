"""receipts apart from marks; paper entry voids; written-off codes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 12:35:32.020073

The receipts of ballots already cast move to their own table, in the order of the receipts
(not of the ballots), with ids of their own; the ballots keep only their marks, under new
random ids. Both tables are keyed by (round, random id).
"""
import json
import secrets

from alembic import op
import sqlalchemy as sa

import starrating.models.types

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _keyed_by_round(name, *columns):
    """A table keyed by (round, random id), stored in that order (WITHOUT ROWID on SQLite)."""
    op.create_table(name,
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    *columns,
    sa.ForeignKeyConstraint(['round_id'], ['ballot_round.id'], name=op.f(f'fk_{name}_round_id_ballot_round')),
    sa.PrimaryKeyConstraint('round_id', 'id', name=op.f(f'pk_{name}')),
    sqlite_with_rowid=False
    )


def upgrade():
    connection = op.get_bind()
    ballots = connection.execute(
        sa.text("SELECT round_id, id, marks, receipt FROM cast_ballot ORDER BY round_id, id")
    ).all()

    _keyed_by_round('ballot_receipt', sa.Column('receipt', sa.String(length=12), nullable=False))
    with op.batch_alter_table('cast_ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cast_ballot_round_id'))
    op.drop_table('cast_ballot')
    _keyed_by_round('cast_ballot', sa.Column('marks', sa.JSON(), nullable=False))
    if ballots:
        # the receipts in the order of the receipts, with ids of their own: nothing pairs them
        # with the ballots any more
        receipts = sorted((row.round_id, row.receipt) for row in ballots)
        op.bulk_insert(
            sa.table('ballot_receipt', sa.column('round_id'), sa.column('id'), sa.column('receipt')),
            [{'round_id': r, 'id': secrets.token_hex(16), 'receipt': c} for r, c in receipts],
        )
        marks = sa.table(
            'cast_ballot', sa.column('round_id'), sa.column('id'), sa.column('marks', sa.JSON())
        )
        op.bulk_insert(
            marks,
            [{'round_id': row.round_id, 'id': secrets.token_hex(16), 'marks': _json(row.marks)}
             for row in ballots],
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

    with op.batch_alter_table('paper_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('void_reason', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('voided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('void_confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('voided_at', starrating.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.alter_column('marks', existing_type=sa.JSON(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_paper_entry_voided_by_id_user_account'), 'user_account', ['voided_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_paper_entry_void_confirmed_by_id_user_account'), 'user_account', ['void_confirmed_by_id'], ['id'])


def _json(value):
    """Marks as read back raw: a dict from PostgreSQL, JSON text from SQLite."""
    return json.loads(value) if isinstance(value, str) else value


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

    with op.batch_alter_table('ballot_token', schema=None) as batch_op:
        batch_op.drop_column('written_off')

    with op.batch_alter_table('ballot_round', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ballot_round_written_off_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('written_off_count')
        batch_op.drop_column('written_off_by_id')
        batch_op.drop_column('written_off_at')

    connection = op.get_bind()
    ballots = connection.execute(sa.text("SELECT round_id, id, marks FROM cast_ballot")).all()
    op.drop_table('cast_ballot')
    op.drop_table('ballot_receipt')
    op.create_table('cast_ballot',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('marks', sa.JSON(), nullable=False),
    sa.Column('receipt', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['ballot_round.id'], name=op.f('fk_cast_ballot_round_id_ballot_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cast_ballot')),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('cast_ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cast_ballot_round_id'), ['round_id'], unique=False)
    if ballots:
        table = sa.table(
            'cast_ballot', sa.column('id'), sa.column('round_id'),
            sa.column('marks', sa.JSON()), sa.column('receipt'),
        )
        op.bulk_insert(
            table,
            [{'id': row.id, 'round_id': row.round_id, 'marks': _json(row.marks), 'receipt': ''}
             for row in ballots],
        )
