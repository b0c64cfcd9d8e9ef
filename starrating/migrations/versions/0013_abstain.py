"""弃权 per star; the reason for closing marking while raters had not finished

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03 10:00:00.000000

A rater may abstain (弃权) on a star: a star_mark row with abstained set and neither passed
nor points. Closing marking while some rater has not finished needs a reason, kept on the year.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('star_mark', schema=None) as batch_op:
        batch_op.add_column(sa.Column('abstained', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('star_mark', schema=None) as batch_op:
        batch_op.alter_column('abstained', server_default=None)
    with op.batch_alter_table('assessment_year', schema=None) as batch_op:
        batch_op.add_column(sa.Column('marking_closed_reason', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('assessment_year', schema=None) as batch_op:
        batch_op.drop_column('marking_closed_reason')
    with op.batch_alter_table('star_mark', schema=None) as batch_op:
        batch_op.drop_column('abstained')
