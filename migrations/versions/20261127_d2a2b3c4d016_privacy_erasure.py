"""Privacy: erasure requests; certificates remember that their holder was erased

Revision ID: d2a2b3c4d016
Revises: d1a2b3c4d015
Create Date: 2026-11-27 18:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d2a2b3c4d016"
down_revision = "d1a2b3c4d015"
branch_labels = None
depends_on = None

PENDING = sa.text("state = 'pending'")


def upgrade():
    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "origin",
            sa.Enum("request", "retention", name="erasureorigin", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "carried_out",
                "refused",
                name="erasurestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("files_removed", sa.Integer(), nullable=True),
        sa.Column("registration_number", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_erasure_requests_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_erasure_requests_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_requests")),
    )
    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erasure_requests_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "uq_erasure_requests_pending_user_id",
            ["user_id"],
            unique=True,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )

    # A plain ADD COLUMN (no batch rebuild): certificates are referenced with ON DELETE
    # CASCADE, and rebuilding the table on SQLite would be needless risk.
    op.add_column(
        "certificates", sa.Column("holder_erased_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade():
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_column("holder_erased_at")
    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_erasure_requests_pending_user_id", sqlite_where=PENDING, postgresql_where=PENDING
        )
        batch_op.drop_index(batch_op.f("ix_erasure_requests_user_id"))
    op.drop_table("erasure_requests")
