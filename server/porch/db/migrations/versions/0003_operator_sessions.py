"""operator sessions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:00:00.000000

Sign-in sessions become rows, so signing out ends a session for good. Cookies issued
before this revision carry no session id and simply stop working: operators sign in again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "operator_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column(
            "operator_id",
            sa.Integer(),
            sa.ForeignKey(
                "operators.id",
                name=op.f("fk_operator_sessions_operator_id_operators"),
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_sessions")),
    )
    # CREATE INDEX needs no batch mode on SQLite.
    op.create_index(op.f("ix_operator_sessions_operator_id"), "operator_sessions", ["operator_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_operator_sessions_operator_id"), table_name="operator_sessions")
    op.drop_table("operator_sessions")
