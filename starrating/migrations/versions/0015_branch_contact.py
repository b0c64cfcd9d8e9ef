"""the branch's contact telephone, for the printed board's 落款

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-03 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('village', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('village', schema=None) as batch_op:
        batch_op.drop_column('contact_phone')
