"""Tables owned by the chat feature: sites, visitors, conversations, messages, page views."""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

sites = sa.Table(
    "sites",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("allowed_origins", sa.JSON, nullable=False),  # ["https://shop.example"]
    sa.Column("settings", sa.JSON, nullable=False),  # {"typing_preview": true, ...}
    sa.Column("created_at", UTCDateTime, nullable=False),
)

visitors = sa.Table(
    "visitors",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),  # friendly generated until set
    sa.Column("email", sa.String(320)),
    sa.Column("attributes", sa.JSON, nullable=False),
    sa.Column("first_seen_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False),
)

conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    # One conversation per visitor, reopened rather than replaced: the unique index makes
    # concurrent first messages (two tabs) agree on it.
    sa.Column(
        "visitor_id",
        sa.ForeignKey("visitors.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
        unique=True,
    ),
    sa.Column("status", sa.String(16), nullable=False),  # open | closed
    sa.Column("assignee_id", sa.ForeignKey("operators.id", ondelete="SET NULL")),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_activity_at", UTCDateTime, nullable=False, index=True),
    sa.Column("operator_read_at", UTCDateTime),
    sa.Column("visitor_read_at", UTCDateTime),
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
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("internal", sa.Boolean, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("conversation_id", "client_id", name="uq_messages_conversation_client"),
    sa.Index("ix_messages_conversation_created", "conversation_id", "id"),
)

page_views = sa.Table(
    "page_views",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "visitor_id", sa.ForeignKey("visitors.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("url", sa.String(2048), nullable=False),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("referrer", sa.String(2048), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)
