"""one conversation per visitor

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 09:00:00.000000

Before this revision two tabs sending a first message at the same moment could each
create a conversation. The upgrade merges such duplicates into the visitor's oldest
conversation (messages move over, a clashing client_id keeps the oldest copy), then makes
`conversations.visitor_id` unique.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

conversations = sa.table(
    "conversations",
    sa.column("id", sa.Integer),
    sa.column("visitor_id", sa.Integer),
    sa.column("last_activity_at", sa.DateTime(timezone=True)),
)
messages = sa.table(
    "messages",
    sa.column("conversation_id", sa.Integer),
    sa.column("client_id", sa.String),
)


def _merge_duplicates() -> None:
    conn = op.get_bind()
    keepers = conn.execute(
        sa.select(sa.func.min(conversations.c.id))
        .group_by(conversations.c.visitor_id)
        .having(sa.func.count() > 1)
    ).scalars()
    for keep in list(keepers):
        visitor_id = sa.select(conversations.c.visitor_id).where(conversations.c.id == keep)
        extras = conn.execute(
            sa.select(conversations.c.id)
            .where(conversations.c.visitor_id == visitor_id.scalar_subquery())
            .where(conversations.c.id != keep)
            .order_by(conversations.c.id)
        ).scalars()
        for extra in list(extras):
            kept_ids = sa.select(messages.c.client_id).where(messages.c.conversation_id == keep)
            conn.execute(
                messages.update()
                .where(messages.c.conversation_id == extra)
                .where(messages.c.client_id.not_in(kept_ids))
                .values(conversation_id=keep)
            )
            conn.execute(messages.delete().where(messages.c.conversation_id == extra))
            latest = sa.select(sa.func.max(conversations.c.last_activity_at)).where(
                conversations.c.id.in_([keep, extra])
            )
            conn.execute(
                conversations.update()
                .where(conversations.c.id == keep)
                .values(last_activity_at=latest.scalar_subquery())
            )
            conn.execute(conversations.delete().where(conversations.c.id == extra))


def upgrade() -> None:
    _merge_duplicates()
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversations_visitor_id"))
        batch_op.create_index(
            batch_op.f("ix_conversations_visitor_id"), ["visitor_id"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversations_visitor_id"))
        batch_op.create_index(
            batch_op.f("ix_conversations_visitor_id"), ["visitor_id"], unique=False
        )
