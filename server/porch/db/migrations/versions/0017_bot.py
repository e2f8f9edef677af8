"""bot

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28 12:30:00.000000

The AI bot (`porch.bot`): per-site settings (mode, model, instructions, a sealed API
key), knowledge sources and their chunks with a full-text index (an FTS5 table on SQLite,
a tsvector GIN expression index on PostgreSQL: `porch.db.bot_fulltext`), the bot's state
per conversation and its answers with the passages it was given and operators' ratings.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "bot_settings",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("api_key_sealed", sa.Text(), nullable=True),
        sa.Column("allow_private_urls", sa.Boolean(), nullable=False),
        _at("updated_at", False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name="fk_bot_settings_site_id_sites", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("site_id", name="pk_bot_settings"),
    )
    op.create_table(
        "kb_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("location", sa.String(length=2000), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=True),
        _at("refreshed_at", False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name="fk_kb_sources_site_id_sites", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_kb_sources"),
    )
    op.create_index("ix_kb_sources_site", "kb_sources", ["site_id"])
    op.create_table(
        "kb_chunks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["kb_sources.id"],
            name="fk_kb_chunks_source_id_kb_sources",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_kb_chunks"),
    )
    op.create_index("ix_kb_chunks_source_id", "kb_chunks", ["source_id"])
    op.create_index("ix_kb_chunks_site", "kb_chunks", ["site_id"])
    _fulltext_up()
    op.create_table(
        "bot_conversations",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("misses", sa.Integer(), nullable=False),
        sa.Column("handoff_reason", sa.String(length=300), nullable=True),
        _at("updated_at", False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_bot_conversations_conversation_id_conversations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name="pk_bot_conversations"),
    )
    op.create_table(
        "bot_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("passages", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("rating", sa.String(length=8), nullable=True),
        _at("created_at", False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name="fk_bot_answers_message_id_messages",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_bot_answers"),
        sa.UniqueConstraint("message_id", name="uq_bot_answers_message_id"),
    )
    op.create_index("ix_bot_answers_conversation_id", "bot_answers", ["conversation_id"])


def _fulltext_up() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # rowid = kb_chunks.id; written and deleted with the chunks (porch.db.bot_fulltext).
        op.execute(
            "CREATE VIRTUAL TABLE kb_chunks_fts USING fts5("
            "title, text, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
    else:
        op.execute(
            "CREATE INDEX ix_kb_chunks_fts ON kb_chunks USING GIN ("
            "to_tsvector('english', title || ' ' || text))"
        )


def downgrade() -> None:
    op.drop_table("bot_answers")
    op.drop_table("bot_conversations")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE kb_chunks_fts")
    op.drop_table("kb_chunks")
    op.drop_table("kb_sources")
    op.drop_table("bot_settings")
