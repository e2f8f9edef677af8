"""Tables owned by email: every mail in and out, its attachments, and which conversations
are held by email."""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

email_threads = sa.Table(
    "email_threads",
    metadata,
    # A conversation held (also) by email: operator replies in it go out as mail to `address`.
    sa.Column(
        "conversation_id",
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column("address", sa.String(320), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    # The ticket a late reply to a closed ticket followed up, if this thread is such.
    sa.Column("follow_up_of", sa.Integer),
    sa.Column("created_at", UTCDateTime, nullable=False),
)


email_messages = sa.Table(
    "email_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column("direction", sa.String(8), nullable=False),  # in | out
    # The `Message-ID` header (without <>): threading looks replies up by it.
    sa.Column("message_id", sa.String(255), nullable=False),
    sa.Column("conversation_id", sa.ForeignKey("conversations.id", ondelete="SET NULL")),
    # The chat message this mail became (in) or came from (out).
    sa.Column("chat_message_id", sa.ForeignKey("messages.id", ondelete="SET NULL"), unique=True),
    sa.Column("kind", sa.String(16), nullable=False),  # mail | ack | reply | notify
    # The customer's side: who sent a mail in, to whom a mail out went.
    sa.Column("address", sa.String(320), nullable=False),
    sa.Column("recipients", sa.JSON, nullable=False),  # every envelope recipient
    sa.Column("subject", sa.String(998), nullable=False),
    sa.Column("headers", sa.JSON, nullable=False),  # the few that matter (threading, loops)
    sa.Column("text", sa.Text, nullable=False),  # shown: quotes and signature stripped
    sa.Column("full_text", sa.Text, nullable=False),  # "show full message"
    sa.Column("source", sa.Text, nullable=False),  # the original, viewable as text
    # in: received | stored | ignored; out: queued | sent | held (no outbound SMTP server)
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime),
    sa.UniqueConstraint("site_id", "message_id", "direction", name="uq_email_messages_id"),
    sa.Index("ix_email_messages_address", "site_id", "address", "created_at"),
    sa.Index("ix_email_messages_conversation", "conversation_id"),
)


email_attachments = sa.Table(
    "email_attachments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "email_id",
        sa.ForeignKey("email_messages.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("content_type", sa.String(255), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)


email_operator_settings = sa.Table(
    "email_operator_settings",
    metadata,
    # An operator's mail notifications; no row: both on.
    sa.Column("operator_id", sa.ForeignKey("operators.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("assignment", sa.Boolean, nullable=False),  # a ticket assigned to them
    sa.Column("sla", sa.Boolean, nullable=False),  # an SLA warning on their (or no one's) ticket
)
