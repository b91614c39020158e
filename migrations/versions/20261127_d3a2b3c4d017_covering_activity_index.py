"""A covering index for summing hours per holder and window (reminders, worklist)

The old (owner_id, activity_date) index is its prefix and goes.

Revision ID: d3a2b3c4d017
Revises: d2a2b3c4d016
Create Date: 2026-11-27 18:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd3a2b3c4d017'
down_revision = 'd2a2b3c4d016'
branch_labels = None
depends_on = None

COLUMNS = [
    'owner_id', 'activity_date', 'locked_by_application_id', 'category', 'accreditation_id',
    'hours',
]


def upgrade():
    op.create_index('ix_activities_owner_date_hours', 'activities', COLUMNS, unique=False)
    op.drop_index('ix_activities_owner_date', table_name='activities')


def downgrade():
    op.create_index(
        'ix_activities_owner_date', 'activities', ['owner_id', 'activity_date'], unique=False
    )
    op.drop_index('ix_activities_owner_date_hours', table_name='activities')
