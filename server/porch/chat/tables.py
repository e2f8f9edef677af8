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
    # Signs the host site's user ids (docs/identity.md); never sent to browsers.
    sa.Column("identity_secret", sa.String(64), nullable=False),
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
    # The host site's own user id, set only once proven by an identity hash: one visitor
    # per verified user and site, whichever browser they come back on.
    sa.Column("external_id", sa.String(255)),
    sa.Column("verified", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("site_id", "external_id", name="uq_visitors_site_external"),
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
    # Visitor messages since operators last read it (kept here: counting them on every
    # message was a scan growing with the conversation).
    sa.Column("operator_unread", sa.Integer, nullable=False, server_default="0"),
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
