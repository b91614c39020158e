"""Accounts record when their e-mail address was confirmed

Registration now sends a confirmation link; an account whose address is not confirmed
cannot log in. Accounts that exist already were made before confirmation existed and
count as confirmed from the moment they were created.

Revision ID: e3a2b3c4d020
Revises: e2a2b3c4d019
Create Date: 2026-11-27 20:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e3a2b3c4d020'
down_revision = 'e2a2b3c4d019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True)
        )

    users = sa.table('users', sa.column('created_at'), sa.column('email_confirmed_at'))
    op.execute(
        users.update()
        .where(users.c.email_confirmed_at.is_(None))
        .values(email_confirmed_at=users.c.created_at)
    )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_confirmed_at')
