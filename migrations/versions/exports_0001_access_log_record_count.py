"""Access log: one row for a list or an export, with how many children's records it showed.

Revision ID: exports_0001
Revises: forms_0001_api_token_expiry
Create Date: 2026-12-05 22:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "exports_0001"
down_revision = "forms_0001_api_token_expiry"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_count", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_column("record_count")
