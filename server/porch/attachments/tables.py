"""The attachments table: one row per uploaded file, whoever uploaded it."""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

attachments = sa.Table(
    "attachments",
    metadata,
    # Random, unguessable ids: knowing one is not enough to read the file (URLs are signed
    # too), but a guessable one would let a visitor try others' ids on `message.send`.
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column("uploader_kind", sa.String(16), nullable=False),  # visitor | operator
    sa.Column("uploader_id", sa.Integer, nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),  # from the content, not the name
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("storage_key", sa.String(100), nullable=False),
    sa.Column("thumbnail_key", sa.String(100)),
    sa.Column("width", sa.Integer),
    sa.Column("height", sa.Integer),
    # Set when a message uses it: an attachment goes with one message only (the client id
    # lets the same message be resent), in one conversation.
    sa.Column("conversation_id", sa.ForeignKey("conversations.id", ondelete="CASCADE"), index=True),
    sa.Column("client_id", sa.String(64)),
    sa.Column("internal", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_attachments_uploader", "uploader_kind", "uploader_id"),
)
