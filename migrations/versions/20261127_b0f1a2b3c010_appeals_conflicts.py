"""Appeals (bezwaar) against rejections: one per application, handled by another reviewer

Revision ID: b0f1a2b3c010
Revises: a9e0f1a2b009
Create Date: 2026-11-27 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b0f1a2b3c010'
down_revision = 'a9e0f1a2b009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'appeals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column(
            'state',
            sa.Enum(
                'lodged', 'in_review', 'upheld', 'granted',
                name='appealstate', native_enum=False, length=32,
            ),
            nullable=False,
        ),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('lodged_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('rejected_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('rejected_by_id', sa.Integer(), nullable=True),
        sa.Column('handler_id', sa.Integer(), nullable=True),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('motivation', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ['application_id'], ['applications.id'],
            name=op.f('fk_appeals_application_id_applications'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['handler_id'], ['users.id'], name=op.f('fk_appeals_handler_id_users')
        ),
        sa.ForeignKeyConstraint(
            ['rejected_by_id'], ['users.id'], name=op.f('fk_appeals_rejected_by_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals')),
        sa.UniqueConstraint('application_id', name=op.f('uq_appeals_application_id')),
    )
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeals_handler_id'), ['handler_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeals_lodged_at'), ['lodged_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeals_state'), ['state'], unique=False)


def downgrade():
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeals_state'))
        batch_op.drop_index(batch_op.f('ix_appeals_lodged_at'))
        batch_op.drop_index(batch_op.f('ix_appeals_handler_id'))
    op.drop_table('appeals')
