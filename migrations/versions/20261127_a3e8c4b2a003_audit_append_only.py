"""Audit log append-only in the database: triggers refuse UPDATE and DELETE

Revision ID: a3e8c4b2a003
Revises: a2b5d9e1f002
Create Date: 2026-11-27 12:00:00

The one change let through is the one the foreign key makes when an account is deleted
(ON DELETE SET NULL): ``actor_id`` becomes empty and every other column, the actor's
e-mail address included, stays as it was. PostgreSQL also refuses TRUNCATE.
SQLite: a later batch migration that rebuilds ``audit_entries`` must create the
triggers again.

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a3e8c4b2a003'
down_revision = 'a2b5d9e1f002'
branch_labels = None
depends_on = None

MESSAGE = 'audit log is append-only'
COLUMNS = ('id', 'at', 'actor_email', 'action', 'object_type', 'object_id', 'reason',
           'details', 'ip')
# SQLite: IS compares NULLs as values.
SQLITE_ACTOR_UNLINKED = ' AND '.join(
    ['NEW.actor_id IS NULL', 'OLD.actor_id IS NOT NULL']
    + [f'NEW.{c} IS OLD.{c}' for c in COLUMNS]
)
POSTGRES_ACTOR_UNLINKED = ' AND '.join(
    ['NEW.actor_id IS NULL', 'OLD.actor_id IS NOT NULL']
    + [f'NEW.{c} IS NOT DISTINCT FROM OLD.{c}' for c in COLUMNS]
)


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"""
            CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND {POSTGRES_ACTOR_UNLINKED} THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
            END
            $$
        """)
        op.execute(
            'CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries'
            ' FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()'
        )
        op.execute(
            'CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries'
            ' FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()'
        )
    else:
        op.execute(f"""
            CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
            WHEN NOT ({SQLITE_ACTOR_UNLINKED})
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """)
        op.execute(f"""
            CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries')
        op.execute('DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries')
        op.execute('DROP FUNCTION IF EXISTS audit_entries_append_only()')
    else:
        op.execute('DROP TRIGGER IF EXISTS audit_entries_no_delete')
        op.execute('DROP TRIGGER IF EXISTS audit_entries_no_update')
