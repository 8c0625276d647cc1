"""API tokens expire: existing tokens expire 90 days after they were created.

Revision ID: forms_0001_api_token_expiry
Revises: 0009_reports
Create Date: 2026-12-05 10:00:00

"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "forms_0001_api_token_expiry"
down_revision = "0009_reports"
branch_labels = None
depends_on = None

DAYS = 90  # the default of QA_API_TOKEN_DAYS when this was written


def upgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
    tokens = sa.table(
        "api_tokens",
        sa.column("id", sa.Integer()),
        sa.column("created_at", sa.DateTime()),
        sa.column("expires_at", sa.DateTime()),
    )
    connection = op.get_bind()
    # Computed here rather than in SQL: date arithmetic is written differently on SQLite and
    # PostgreSQL, and a council has a handful of tokens.
    rows = connection.execute(sa.select(tokens.c.id, tokens.c.created_at)).all()
    for token_id, created_at in rows:
        connection.execute(
            tokens.update()
            .where(tokens.c.id == token_id)
            .values(expires_at=created_at + timedelta(days=DAYS))
        )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
