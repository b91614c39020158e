"""Second factor (TOTP) and recovery codes

Revision ID: a2b5d9e1f002
Revises: a1c3f0e7d001
Create Date: 2026-11-27 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a2b5d9e1f002'
down_revision = 'a1c3f0e7d001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
