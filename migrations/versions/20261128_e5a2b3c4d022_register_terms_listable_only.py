"""Only people who may be listed have register search terms

The public register's search no longer looks at the account of every match: a person
without consent to be listed, or with a blocked account, has no rows in
``register_terms`` (``index_person`` writes none, blocking and withdrawing consent
rewrite them). This removes the rows such people had. The downgrade writes nothing back:
``flask krsd reindex-register`` rebuilds the terms of the previous version if needed, and
its search still filtered on the account.

Revision ID: e5a2b3c4d022
Revises: e4a2b3c4d021
Create Date: 2026-11-28 00:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5a2b3c4d022'
down_revision = 'e4a2b3c4d021'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "DELETE FROM register_terms WHERE user_id IN "
        "(SELECT id FROM users WHERE public_listing_consent IS NOT TRUE OR active IS NOT TRUE)"
    )


def downgrade():
    pass
