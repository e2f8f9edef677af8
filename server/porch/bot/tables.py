"""Tables owned by the bot: per-site settings, knowledge sources and their chunks, the
bot's state per conversation and its answers (for the panel and ratings).

The full-text index over `bot_chunks` is dialect-specific (an FTS5 table on SQLite, a
tsvector expression index on PostgreSQL): see `porch.db.bot_fulltext`.
"""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

bot_settings = sa.Table(
    "bot_settings",
    metadata,
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("mode", sa.String(16), nullable=False),  # off | first | outside_hours
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("model", sa.String(100), nullable=False),
    sa.Column("instructions", sa.Text, nullable=False),
    # The site's own Anthropic key, Fernet-sealed (porch.bot.secrets); None: the env key.
    sa.Column("api_key_sealed", sa.Text),
    sa.Column("allow_private_urls", sa.Boolean, nullable=False, default=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # Cost guard: at most this many answers a day (UTC) for the site; 0: no limit.
    sa.Column("daily_limit", sa.Integer, nullable=False, default=1000, server_default="1000"),
)

kb_sources = sa.Table(
    "kb_sources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # url | sitemap | file | qa | shopify
    sa.Column("location", sa.String(2000), nullable=False),  # URL, file name or question
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # ready | failed
    sa.Column("error", sa.String(500)),
    sa.Column("size", sa.Integer, nullable=False),  # characters of text indexed
    sa.Column("chunks", sa.Integer, nullable=False),
    # What was added, so a refresh can read it again (a Q&A pair's answer, a file's text).
    sa.Column("content", sa.Text),
    sa.Column("refreshed_at", UTCDateTime, nullable=False),
    sa.Index("ix_kb_sources_site", "site_id"),
)

kb_chunks = sa.Table(
    "kb_chunks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.Integer, nullable=False),
    sa.Column(
        "source_id", sa.ForeignKey("kb_sources.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Index("ix_kb_chunks_site", "site_id"),
)

bot_conversations = sa.Table(
    "bot_conversations",
    metadata,
    sa.Column(
        "conversation_id", sa.ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    ),
    # answering | handed_off | awaiting_email | ticketed
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("misses", sa.Integer, nullable=False),  # answers in a row without a source
    sa.Column("handoff_reason", sa.String(300)),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

bot_answers = sa.Table(
    "bot_answers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("message_id", sa.ForeignKey("messages.id", ondelete="CASCADE"), unique=True),
    sa.Column("conversation_id", sa.Integer, nullable=False, index=True),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("passages", sa.JSON, nullable=False),  # [{"title", "url", "score", "text"}]
    sa.Column("sources", sa.JSON, nullable=False),
    sa.Column("rating", sa.String(8)),  # good | wrong
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_bot_answers_created_at", "created_at"),  # the daily limit's count
)
