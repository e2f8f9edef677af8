"""many conversations per visitor

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 09:00:00.000000

A visitor's closed conversation now stays in their history and a later message starts a
new one (or reopens the last within the site's reopen window). `visitor_id` is no longer
unique; instead at most one conversation per visitor is open (a partial unique index), so
two tabs sending a first message at once still agree on one. `closed_at` says when a
conversation closed (existing closed ones: their last activity). Messages from the bot and
the system keep the name they were posted under (`author_name`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True)))
        batch.drop_index("ix_conversations_visitor_id")
        batch.create_index("ix_conversations_visitor_id", ["visitor_id"])
    op.create_index(
        "uq_conversations_visitor_open",
        "conversations",
        ["visitor_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    conversations = sa.table(
        "conversations",
        sa.column("status", sa.String),
        sa.column("closed_at", sa.DateTime(timezone=True)),
        sa.column("last_activity_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        conversations.update()
        .where(conversations.c.status == "closed")
        .values(closed_at=conversations.c.last_activity_at)
    )
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("author_name", sa.String(200)))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("author_name")
    op.drop_index("uq_conversations_visitor_open", table_name="conversations")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index("ix_conversations_visitor_id")
        batch.create_index("ix_conversations_visitor_id", ["visitor_id"], unique=True)
        batch.drop_column("closed_at")
