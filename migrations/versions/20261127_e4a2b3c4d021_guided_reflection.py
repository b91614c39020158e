"""Activities answer the reflection questions in columns of their own

The reflection on an activity is now two required questions and an optional third. An
activity logged before keeps its one free-text reflection in ``reflection`` and shows it
as it was written; newer activities leave that column empty.

Revision ID: e4a2b3c4d021
Revises: e3a2b3c4d020
Create Date: 2026-11-27 20:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e4a2b3c4d021'
down_revision = 'e3a2b3c4d020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reflection_learned', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reflection_applied', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reflection_change', sa.Text(), nullable=True))


def downgrade():
    # The answers go back into the one text column, so that a downgrade loses nothing.
    activities = sa.table(
        'activities',
        sa.column('reflection', sa.Text()),
        sa.column('reflection_learned', sa.Text()),
        sa.column('reflection_applied', sa.Text()),
        sa.column('reflection_change', sa.Text()),
    )
    joined = sa.func.coalesce(activities.c.reflection_learned, '')
    for column in (activities.c.reflection_applied, activities.c.reflection_change):
        joined = joined + sa.case((column.is_(None), ''), else_='\n\n' + column)
    op.execute(
        activities.update()
        .where(activities.c.reflection_learned.is_not(None))
        .values(reflection=joined)
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_column('reflection_change')
        batch_op.drop_column('reflection_applied')
        batch_op.drop_column('reflection_learned')
