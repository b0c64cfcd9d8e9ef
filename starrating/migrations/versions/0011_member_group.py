"""a member's 组别 (村民小组), optional

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 10:00:00.000000

Shown beside a member's name where two members of one list share it (rules/namesakes.py).
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('village_group', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('village_group')
