"""Renewal applications: no schema change of their own (the columns came with a6)

Revision ID: a7b8c9d0e007
Revises: a6c1d2e3f006
Create Date: 2026-11-27 15:00:00

"""


# revision identifiers, used by Alembic.
revision = 'a7b8c9d0e007'
down_revision = 'a6c1d2e3f006'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
