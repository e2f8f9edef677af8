"""ticket templates link canned replies

Revision ID: 0027
Revises: 0025
Create Date: 2026-11-28 16:10:00.000000

A ticket template lists the shared canned replies that usually answer it
(`ticket_templates.canned_ids`), and a ticket made from a template remembers which
(`ticket_template_links`), so its page suggests those replies.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_templates") as batch:
        batch.add_column(sa.Column("canned_ids", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "ticket_template_links",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["template_id"], ["ticket_templates.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ticket_id"),
    )


def downgrade() -> None:
    op.drop_table("ticket_template_links")
    with op.batch_alter_table("ticket_templates") as batch:
        batch.drop_column("canned_ids")
