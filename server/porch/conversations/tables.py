"""Tables owned by conversations: conversations and their messages."""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

OPEN = sa.text("status = 'open'")

conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "visitor_id", sa.ForeignKey("visitors.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("status", sa.String(16), nullable=False),  # open | closed
    sa.Column("assignee_id", sa.ForeignKey("operators.id", ondelete="SET NULL")),
    sa.Column("team_id", sa.ForeignKey("teams.id", ondelete="SET NULL")),  # migration 0012
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_activity_at", UTCDateTime, nullable=False, index=True),
    sa.Column("operator_read_at", UTCDateTime),
    # Visitor messages since operators last read it (kept here: counting them on every
    # message was a scan growing with the conversation).
    sa.Column("operator_unread", sa.Integer, nullable=False, server_default="0"),
    sa.Column("visitor_read_at", UTCDateTime),
    sa.Column("closed_at", UTCDateTime),
    # A visitor has many conversations over time but at most one open: concurrent first
    # messages (two tabs) agree on it, their inserts skipped on this index.
    sa.Index(
        "uq_conversations_visitor_open",
        "visitor_id",
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    ),
    sa.Index("ix_conversations_created_at", "created_at"),  # analytics: volume (0021)
)


messages = sa.Table(
    "messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "conversation_id",
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("client_id", sa.String(64), nullable=False),
    sa.Column("author", sa.String(16), nullable=False),  # visitor | operator | bot | system
    sa.Column("operator_id", sa.ForeignKey("operators.id", ondelete="SET NULL")),
    sa.Column("author_name", sa.String(200)),  # the bot's or system's name when posted
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("internal", sa.Boolean, nullable=False),
    sa.Column("parts", sa.JSON),  # structured pieces beside the text, keyed by kind
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("conversation_id", "client_id", name="uq_messages_conversation_client"),
    sa.Index("ix_messages_conversation_created", "conversation_id", "id"),
)
