"""Undoing the latest import: the rows an import changed, kept as they were, and who undid it.

import_undo_rows holds each row an import changed or deleted, as it was before (cases closed or
updated, children updated, event rows replaced), and notes the rows it created; imports gains
undo_kept (whether those rows were kept), undone_at and undone_by_id. See docs/formats.md.

Revision ID: closures_0001
Revises: closedsample_0001
Create Date: 2026-12-06 02:05:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "closures_0001"
down_revision = "closedsample_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_undo_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("created", sa.Boolean(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["imports.id"],
            name=op.f("fk_import_undo_rows_import_id_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_undo_rows")),
    )
    with op.batch_alter_table("import_undo_rows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_undo_rows_import_id"), ["import_id"], unique=False
        )
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("undo_kept", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("undone_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("undone_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_imports_undone_by_id_users"), "users", ["undone_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_imports_undone_by_id_users"), type_="foreignkey")
        batch_op.drop_column("undone_by_id")
        batch_op.drop_column("undone_at")
        batch_op.drop_column("undo_kept")
    with op.batch_alter_table("import_undo_rows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_undo_rows_import_id"))
    op.drop_table("import_undo_rows")
