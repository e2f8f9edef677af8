"""Tables owned by the inbox tools: conversation tags and snoozes."""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

conversation_tags = sa.Table(
    "conversation_tags",
    metadata,
    sa.Column(
        "conversation_id",
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("tag", sa.String(40), primary_key=True),
    sa.Index("ix_conversation_tags_tag", "tag"),
)


conversation_snoozes = sa.Table(
    "conversation_snoozes",
    metadata,
    # One row while a conversation sleeps; deleted when it wakes (by its job or a message).
    sa.Column(
        "conversation_id",
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("until", UTCDateTime, nullable=False),
    sa.Column("operator_id", sa.ForeignKey("operators.id", ondelete="SET NULL")),
    sa.Column("created_at", UTCDateTime, nullable=False),
)
