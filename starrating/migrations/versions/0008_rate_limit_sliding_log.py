"""rate limits: a sliding log of hits instead of fixed-window counters

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 12:54:09.282894

The counters only ever hold the last minutes' hits: they are dropped, not converted (a limit
that restarts from zero at the upgrade lets at most one more limit's worth through).
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_hit',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('at_ms', sa.BigInteger(), nullable=False),
    sa.Column('expires_ms', sa.BigInteger(), nullable=False),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_limit_hit'))
    )
    with op.batch_alter_table('rate_limit_hit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_hit_expires_ms'), ['expires_ms'], unique=False)
        batch_op.create_index('ix_rate_limit_hit_key_at_ms', ['key', 'at_ms'], unique=False)

    op.drop_table('rate_limit_counter')


def downgrade():
    op.create_table('rate_limit_counter',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('window', sa.Integer(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', 'window', name=op.f('pk_rate_limit_counter'))
    )
    with op.batch_alter_table('rate_limit_hit', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_limit_hit_key_at_ms')
        batch_op.drop_index(batch_op.f('ix_rate_limit_hit_expires_ms'))

    op.drop_table('rate_limit_hit')
