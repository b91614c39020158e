"""The three-year cycle: renewals point at their certificate, suspension end, extension
rhythm, regulation numbers for extension and appeal

Revision ID: a6c1d2e3f006
Revises: a5f2e6d8c005
Create Date: 2026-11-27 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a6c1d2e3f006'
down_revision = 'a5f2e6d8c005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('regulations', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('max_extension_months', sa.Integer(), nullable=False, server_default='6')
        )
        batch_op.add_column(
            sa.Column('appeal_weeks', sa.Integer(), nullable=False, server_default='6')
        )
    with op.batch_alter_table('regulations', schema=None) as batch_op:
        batch_op.alter_column('max_extension_months', server_default=None)
        batch_op.alter_column('appeal_weeks', server_default=None)

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('original_valid_until', sa.Date(), nullable=True))

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_certificate_id', sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_applications_previous_certificate_id'),
            ['previous_certificate_id'],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_applications_previous_certificate_id_certificates'),
            'certificates',
            ['previous_certificate_id'],
            ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_applications_previous_certificate_id_certificates'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_applications_previous_certificate_id'))
        batch_op.drop_column('previous_certificate_id')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('original_valid_until')
        batch_op.drop_column('suspended_until')
    with op.batch_alter_table('regulations', schema=None) as batch_op:
        batch_op.drop_column('appeal_weeks')
        batch_op.drop_column('max_extension_months')
