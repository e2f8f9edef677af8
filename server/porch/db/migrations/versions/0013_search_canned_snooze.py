"""search, canned replies, snooze, conversation tags

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 12:00:00.000000

Full-text search (`porch.search`, SQL in `porch.db.fulltext`): on SQLite, FTS5
external-content tables over messages, tickets and visitors (and a plain FTS5 table for
ticket notes, whose text sits in JSON), kept in sync by triggers and filled from the
existing rows here; on PostgreSQL, GIN indexes over the same `to_tsvector('simple', …)`
expressions the queries use. Plus `canned_replies` (`porch.canned`), and
`conversation_tags` and `conversation_snoozes` (`porch.inbox`).

Self-contained on purpose (the integrator re-chains revisions): a later SQLite batch
rebuild of messages, tickets, ticket_events or visitors drops their triggers; such a
migration must run `_sqlite_triggers` again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# name, source table, FTS columns (also the source's columns: external content)
_EXTERNAL = (
    ("messages_fts", "messages", ("body",)),
    ("tickets_fts", "tickets", ("subject", "description")),
    ("visitors_fts", "visitors", ("name", "email")),
)
_NOTE_BODY = "json_extract({row}.data, '$.body')"

_PG_INDEXES = (
    ("ix_messages_fulltext", "messages", "body"),
    ("ix_tickets_fulltext", "tickets", "subject || ' ' || description"),
    (
        "ix_ticket_notes_fulltext",
        "ticket_events",
        "coalesce(data ->> 'body', '')",
    ),
    (
        "ix_visitors_fulltext",
        "visitors",
        "name || ' ' || translate(coalesce(email, ''), '@.', '  ')",
    ),
)


def _at(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _sqlite_triggers(name: str, table: str, columns: tuple[str, ...]) -> list[str]:
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    delete = f"INSERT INTO {name}({name}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    insert = f"INSERT INTO {name}(rowid, {cols}) VALUES (new.id, {new});"
    return [
        f"CREATE TRIGGER {name}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {name}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {name}_au AFTER UPDATE OF {cols} ON {table} BEGIN {delete} {insert} END",
    ]


def _sqlite_notes() -> list[str]:
    body = _NOTE_BODY.format(row="new")
    insert = f"INSERT INTO ticket_notes_fts(rowid, body) VALUES (new.id, {body});"
    return [
        "CREATE VIRTUAL TABLE ticket_notes_fts USING fts5(body)",
        "CREATE TRIGGER ticket_notes_fts_ai AFTER INSERT ON ticket_events"
        f" WHEN new.kind = 'note' BEGIN {insert} END",
        "CREATE TRIGGER ticket_notes_fts_ad AFTER DELETE ON ticket_events"
        " WHEN old.kind = 'note' BEGIN DELETE FROM ticket_notes_fts WHERE rowid = old.id; END",
        "INSERT INTO ticket_notes_fts(rowid, body) SELECT id, "
        + _NOTE_BODY.format(row="ticket_events")
        + " FROM ticket_events WHERE kind = 'note'",
    ]


def _fulltext_up() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name, table, columns in _EXTERNAL:
            cols = ", ".join(columns)
            op.execute(
                f"CREATE VIRTUAL TABLE {name} USING fts5({cols},"
                f" content='{table}', content_rowid='id')"
            )
            for statement in _sqlite_triggers(name, table, columns):
                op.execute(statement)
            op.execute(f"INSERT INTO {name}({name}) VALUES ('rebuild')")  # index existing rows
        for statement in _sqlite_notes():
            op.execute(statement)
        return
    for name, table, document in _PG_INDEXES:
        where = " WHERE kind = 'note'" if table == "ticket_events" else ""
        op.execute(
            f"CREATE INDEX {name} ON {table}"
            f" USING gin (to_tsvector('simple'::regconfig, {document})){where}"
        )


def _fulltext_down() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name, _table, _columns in _EXTERNAL:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {name}")
        for suffix in ("ai", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS ticket_notes_fts_{suffix}")
        op.execute("DROP TABLE IF EXISTS ticket_notes_fts")
        return
    for name, _table, _document in _PG_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def upgrade() -> None:
    _fulltext_up()
    op.create_table(
        "canned_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("shortcut", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _at("created_at", nullable=False),
        _at("updated_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_canned_replies_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_canned_replies_operator_id_operators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_replies")),
    )
    op.create_index("ix_canned_replies_site_shortcut", "canned_replies", ["site_id", "shortcut"])
    op.create_table(
        "conversation_tags",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_tags_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", "tag", name=op.f("pk_conversation_tags")),
    )
    op.create_index("ix_conversation_tags_tag", "conversation_tags", ["tag"])
    op.create_table(
        "conversation_snoozes",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        _at("until", nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        _at("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_snoozes_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_conversation_snoozes_operator_id_operators"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_conversation_snoozes")),
    )


def downgrade() -> None:
    op.drop_table("conversation_snoozes")
    op.drop_index("ix_conversation_tags_tag", table_name="conversation_tags")
    op.drop_table("conversation_tags")
    op.drop_index("ix_canned_replies_site_shortcut", table_name="canned_replies")
    op.drop_table("canned_replies")
    _fulltext_down()
