"""Sample replacements: a sampled case closed since the draw and the case of its stratum that
replaced it, with the closed cases passed over, so the draw stays checkable.

Revision ID: closedsample_0001
Revises: digest_0001
Create Date: 2026-12-06 01:45:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "closedsample_0001"
down_revision = "digest_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sample_replacements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("closed_case_id", sa.Integer(), nullable=False),
        sa.Column("replacement_case_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("cohort", sa.String(length=20), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("passed_over", sa.JSON(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(), nullable=False),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_case_id"],
            ["cases.id"],
            name=op.f("fk_sample_replacements_closed_case_id_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["audit_cycles.id"],
            name=op.f("fk_sample_replacements_cycle_id_audit_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["users.id"],
            name=op.f("fk_sample_replacements_replaced_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["replacement_case_id"],
            ["cases.id"],
            name=op.f("fk_sample_replacements_replacement_case_id_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_sample_replacements_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_replacements")),
    )
    with op.batch_alter_table("sample_replacements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sample_replacements_cycle_id"), ["cycle_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("sample_replacements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sample_replacements_cycle_id"))
    op.drop_table("sample_replacements")
