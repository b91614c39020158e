"""The public register's terms carry the display order; covering indexes for listing checks

One index on (term, sort_name, registration_number, user_id) delivers the matches of a word
already sorted, so a broad search reads its first rows and stops. It replaces the index on
term alone, its prefix. Two covering indexes let the search check each match (consent and
standing of the account; a valid certificate) without reading the rows; the certificates'
one replaces (holder_id, valid_until), its prefix. Existing rows are filled in here: the number from registrations,
the name from the person's latest unrevoked certificate, folded as the application folds it.

Revision ID: e1a2b3c4d018
Revises: d3a2b3c4d017
Create Date: 2026-11-27 19:00:00

"""
import unicodedata

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e1a2b3c4d018'
down_revision = 'd3a2b3c4d017'
branch_labels = None
depends_on = None

CERTIFICATE_COLUMNS = [
    'holder_id', 'valid_until', 'id', 'valid_from', 'revoked_at', 'suspended_at',
    'suspended_until',
]


def _folded(length):
    return sa.String(length).with_variant(sa.String(length, collation='C'), 'postgresql')


def _sort_name(name):
    # As krsd.certification.rules.register_sort_name on the day of this migration.
    folded = unicodedata.normalize('NFKD', name or '')
    text = ''.join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    text = text.replace('ł', 'l').replace('ø', 'o').replace('ß', 'ss')
    return ' '.join(''.join(ch if ch.isalnum() else ' ' for ch in text).split())[:200]


def upgrade():
    with op.batch_alter_table('register_terms', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('sort_name', _folded(200), nullable=False, server_default='')
        )
        batch_op.add_column(
            sa.Column('registration_number', _folded(16), nullable=False, server_default='')
        )
    bind = op.get_bind()
    people = bind.execute(sa.text(
        'SELECT r.user_id, r.number, ('
        '  SELECT c.holder_name FROM certificates c'
        '  WHERE c.holder_id = r.user_id AND c.revoked_at IS NULL'
        '  ORDER BY c.valid_until DESC, c.id DESC LIMIT 1) AS name '
        'FROM registrations r'
    )).all()
    if people:
        bind.execute(
            sa.text(
                'UPDATE register_terms SET sort_name = :sort_name, '
                'registration_number = :number WHERE user_id = :user_id'
            ),
            [
                {'sort_name': _sort_name(name), 'number': number, 'user_id': user_id}
                for user_id, number, name in people
            ],
        )
    with op.batch_alter_table('register_terms', schema=None) as batch_op:
        batch_op.alter_column('sort_name', server_default=None)
        batch_op.alter_column('registration_number', server_default=None)
        batch_op.create_index(
            'ix_register_terms_listing',
            ['term', 'sort_name', 'registration_number', 'user_id'],
            unique=False,
        )
        batch_op.drop_index('ix_register_terms_term')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_holder_listing', CERTIFICATE_COLUMNS, unique=False)
        batch_op.drop_index('ix_certificates_holder_validity')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(
            'ix_users_listing', ['id', 'public_listing_consent', 'active'], unique=False
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_listing')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(
            'ix_certificates_holder_validity', ['holder_id', 'valid_until'], unique=False
        )
        batch_op.drop_index('ix_certificates_holder_listing')
    with op.batch_alter_table('register_terms', schema=None) as batch_op:
        batch_op.create_index('ix_register_terms_term', ['term'], unique=False)
        batch_op.drop_index('ix_register_terms_listing')
        batch_op.drop_column('registration_number')
        batch_op.drop_column('sort_name')
