"""Suspension and extension: the holders' extension (uitstel) requests

Revision ID: a9e0f1a2b009
Revises: a8d9e0f1a008
Create Date: 2026-11-27 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9e0f1a2b009'
down_revision = 'a8d9e0f1a008'
branch_labels = None
depends_on = None

PENDING = sa.text("state = 'pending'")


def upgrade():
    op.create_table('extension_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('illness', 'leave', 'other', name='extensionreason', native_enum=False, length=32), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'granted', 'refused', name='extensionstate', native_enum=False, length=32), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('evidence_stored_name', sa.String(length=64), nullable=True),
    sa.Column('evidence_label', sa.String(length=160), nullable=True),
    sa.Column('evidence_kind', sa.String(length=8), nullable=True),
    sa.Column('evidence_size', sa.Integer(), nullable=True),
    sa.Column('evidence_sha256', sa.String(length=64), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('motivation', sa.Text(), nullable=True),
    sa.Column('previous_valid_until', sa.Date(), nullable=True),
    sa.Column('granted_until', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_extension_requests_certificate_id_certificates')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_extension_requests_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_requests')),
    sa.UniqueConstraint('evidence_stored_name', name=op.f('uq_extension_requests_evidence_stored_name'))
    )
    with op.batch_alter_table('extension_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extension_requests_certificate_id'), ['certificate_id'], unique=False)
        batch_op.create_index('uq_extension_requests_pending_certificate_id', ['certificate_id'], unique=True,
                              sqlite_where=PENDING, postgresql_where=PENDING)


def downgrade():
    with op.batch_alter_table('extension_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_extension_requests_pending_certificate_id')
        batch_op.drop_index(batch_op.f('ix_extension_requests_certificate_id'))

    op.drop_table('extension_requests')
