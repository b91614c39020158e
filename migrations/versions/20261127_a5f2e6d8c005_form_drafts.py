"""Forms posted after the session ran out wait for their author (form_drafts)

Revision ID: a5f2e6d8c005
Revises: a3e8c4b2a003
Create Date: 2026-11-27 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a5f2e6d8c005'
down_revision = 'a3e8c4b2a003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'form_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('path', sa.String(length=255), nullable=False),
        sa.Column('fields', sa.Text(), nullable=False),
        sa.Column('had_files', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_form_drafts_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_form_drafts')),
    )
    with op.batch_alter_table('form_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_drafts_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('form_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_drafts_user_id'))
    op.drop_table('form_drafts')
