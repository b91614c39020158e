"""Certificates record their holder's details; name-change requests

Revision ID: a1c3f0e7d001
Revises: 160d275bdcb4
Create Date: 2026-11-27 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c3f0e7d001'
down_revision = '160d275bdcb4'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
