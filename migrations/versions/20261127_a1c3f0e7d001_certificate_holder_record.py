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

FUNCTION = sa.Enum(
    'leerplichtambtenaar', 'doorstroomcoach', 'ondersteuner', 'other',
    name='function', native_enum=False, length=32,
)
PENDING = sa.text("state = 'pending'")


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('holder_function', FUNCTION, nullable=True))
        batch_op.add_column(sa.Column('holder_employer', sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column('reissued_at', sa.DateTime(timezone=True), nullable=True))

    # Certificates issued before today record their holder as the account reads now.
    users = sa.table('users', sa.column('id'), sa.column('name'), sa.column('function'),
                     sa.column('employer'))
    certificates = sa.table('certificates', sa.column('holder_id'), sa.column('holder_name'),
                            sa.column('holder_function'), sa.column('holder_employer'))

    def holder(column):
        return sa.select(column).where(users.c.id == certificates.c.holder_id).scalar_subquery()

    op.execute(
        certificates.update().values(
            holder_name=holder(users.c.name),
            holder_function=holder(users.c.function),
            holder_employer=sa.func.coalesce(holder(users.c.employer), ''),
        )
    )

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.alter_column('holder_name', existing_type=sa.String(length=120), nullable=False)
        batch_op.alter_column('holder_function', existing_type=FUNCTION, nullable=False)
        batch_op.alter_column('holder_employer', existing_type=sa.String(length=160),
                              nullable=False)

    op.create_table('name_change_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('old_name', sa.String(length=120), nullable=False),
    sa.Column('requested_name', sa.String(length=120), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'approved', 'refused', name='namechangestate', native_enum=False, length=32), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_name_change_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_name_change_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_name_change_requests'))
    )
    with op.batch_alter_table('name_change_requests', schema=None) as batch_op:
        batch_op.create_index('uq_name_change_requests_pending_user_id', ['user_id'], unique=True,
                              sqlite_where=PENDING, postgresql_where=PENDING)


def downgrade():
    with op.batch_alter_table('name_change_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_name_change_requests_pending_user_id')

    op.drop_table('name_change_requests')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('reissued_at')
        batch_op.drop_column('holder_employer')
        batch_op.drop_column('holder_function')
        batch_op.drop_column('holder_name')
