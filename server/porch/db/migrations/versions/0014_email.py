"""email

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 12:00:00.000000

Email (`porch.email`): `email_threads` marks conversations held by email (replies in them
go out as mail); `email_messages` is every mail in and out with its threading headers,
shown text, full text and original source; `email_attachments` keeps their files.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "email_threads",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("follow_up_of", sa.Integer(), nullable=True),
        _at("created_at", nullable=False),
        _fk("email_threads", "conversation_id", "conversations", "CASCADE"),
        _fk("email_threads", "site_id", "sites", "CASCADE"),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_email_threads")),
    )
    op.create_table(
        "email_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("chat_message_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("subject", sa.String(length=998), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("full_text", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _at("created_at", nullable=False),
        _at("sent_at"),
        _fk("email_messages", "site_id", "sites", "CASCADE"),
        _fk("email_messages", "conversation_id", "conversations", "SET NULL"),
        _fk("email_messages", "chat_message_id", "messages", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_messages")),
        sa.UniqueConstraint("chat_message_id", name=op.f("uq_email_messages_chat_message_id")),
        sa.UniqueConstraint("site_id", "message_id", "direction", name="uq_email_messages_id"),
    )
    op.create_index(
        "ix_email_messages_address", "email_messages", ["site_id", "address", "created_at"]
    )
    op.create_index("ix_email_messages_conversation", "email_messages", ["conversation_id"])
    op.create_table(
        "email_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        _fk("email_attachments", "email_id", "email_messages", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_attachments")),
    )
    op.create_index("ix_email_attachments_email_id", "email_attachments", ["email_id"])
    op.create_table(
        "email_operator_settings",
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("assignment", sa.Boolean(), nullable=False),
        sa.Column("sla", sa.Boolean(), nullable=False),
        _fk("email_operator_settings", "operator_id", "operators", "CASCADE"),
        sa.PrimaryKeyConstraint("operator_id", name=op.f("pk_email_operator_settings")),
    )


def downgrade() -> None:
    op.drop_table("email_operator_settings")
    op.drop_table("email_attachments")
    op.drop_table("email_messages")
    op.drop_table("email_threads")
