"""Outbox messages are claimed by the node that delivers them

``flask krsd send-mail`` may then run on every node at once: a conditional UPDATE of
``claimed_until`` gives each message to one of them; an expired claim is tried again.

Revision ID: e2a2b3c4d019
Revises: e1a2b3c4d018
Create Date: 2026-11-27 19:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e2a2b3c4d019'
down_revision = 'e1a2b3c4d018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('claimed_until')
