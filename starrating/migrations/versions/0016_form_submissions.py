"""one-time tokens of the forms that create a record

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-03 10:53:05.942882

"""
from alembic import op
import sqlalchemy as sa

import starrating.models.types


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_submission',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('done_url', sa.String(length=300), nullable=False),
    sa.Column('created_at', starrating.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_form_submission'))
    )
    with op.batch_alter_table('form_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_submission_created_at'), ['created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('form_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_submission_created_at'))

    op.drop_table('form_submission')
