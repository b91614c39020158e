"""The daily job's sent notices: each reminder and expiry mail at most once per
certificate

Revision ID: a8d9e0f1a008
Revises: a6c1d2e3f006
Create Date: 2026-11-27 15:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a8d9e0f1a008'
down_revision = 'a6c1d2e3f006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'certificate_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('certificate_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['certificate_id'],
            ['certificates.id'],
            name=op.f('fk_certificate_notices_certificate_id_certificates'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_notices')),
        sa.UniqueConstraint(
            'certificate_id', 'kind', name=op.f('uq_certificate_notices_certificate_id')
        ),
    )


def downgrade():
    op.drop_table('certificate_notices')
