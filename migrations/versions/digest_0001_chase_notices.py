"""Chase notices: who a routine chase rung told about which action, summarised once a day.

Revision ID: digest_0001
Revises: events_0001
Create Date: 2026-12-06 01:55:00

"""

import sqlalchemy as sa
from alembic import op

revision = "digest_0001"
down_revision = "events_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "chase_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("rung", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("cover", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_chase_notices_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_chase_notices_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chase_notices")),
        sa.UniqueConstraint("user_id", "action_id", "due_on", "rung", name="uq_chase_notices_rung"),
    )
    op.create_index("ix_chase_notices_day", "chase_notices", ["day"], unique=False)


def downgrade():
    op.drop_index("ix_chase_notices_day", table_name="chase_notices")
    op.drop_table("chase_notices")
