"""conversation unread counter

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 09:00:00.000000

The inbox showed each conversation's unread count by counting the visitor's messages newer
than the operators' last read, on every new message: a scan that grew with the
conversation. The count is now kept on the conversation, updated with each message and
reset when operators read it. Existing conversations get their current count.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(
            sa.Column("operator_unread", sa.Integer(), nullable=False, server_default="0")
        )
    conversations = sa.table(
        "conversations",
        sa.column("id", sa.Integer),
        sa.column("operator_read_at", sa.DateTime),
        sa.column("operator_unread", sa.Integer),
    )
    messages = sa.table(
        "messages",
        sa.column("conversation_id", sa.Integer),
        sa.column("author", sa.String),
        sa.column("created_at", sa.DateTime),
    )
    unread = (
        sa.select(sa.func.count())
        .select_from(messages)
        .where(
            messages.c.conversation_id == conversations.c.id,
            messages.c.author == "visitor",
            sa.or_(
                conversations.c.operator_read_at.is_(None),
                messages.c.created_at > conversations.c.operator_read_at,
            ),
        )
        .scalar_subquery()
    )
    op.execute(conversations.update().values(operator_unread=unread))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("operator_unread")
