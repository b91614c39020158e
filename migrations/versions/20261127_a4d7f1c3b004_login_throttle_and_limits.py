"""Login throttling per account and per address and account

Revision ID: a4d7f1c3b004
Revises: a3e8c4b2a003
Create Date: 2026-11-27 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4d7f1c3b004'
down_revision = 'a3e8c4b2a003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
