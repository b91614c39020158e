"""The province one works in, for the registerbureau's figures

Revision ID: d1a2b3c4d015
Revises: c1a2b3c4d011
Create Date: 2026-11-27 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd1a2b3c4d015'
down_revision = 'c1a2b3c4d011'
branch_labels = None
depends_on = None

PROVINCES = (
    'groningen', 'friesland', 'drenthe', 'overijssel', 'flevoland', 'gelderland', 'utrecht',
    'noord-holland', 'zuid-holland', 'zeeland', 'noord-brabant', 'limburg',
)


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'province',
            sa.Enum(*PROVINCES, name='province', native_enum=False, length=32),
            nullable=True,
        ))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('province')
