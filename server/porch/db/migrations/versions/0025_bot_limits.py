"""bot limits

Revision ID: 0025
Revises: 0023
Create Date: 2026-11-28 15:30:00.000000

The bot's cost guard: a per-site daily limit of answers (`bot_settings.daily_limit`, 0 for
none) and an index to count a day's answers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bot_settings") as batch:
        batch.add_column(
            sa.Column("daily_limit", sa.Integer(), nullable=False, server_default="1000")
        )
    op.create_index("ix_bot_answers_created_at", "bot_answers", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_bot_answers_created_at", table_name="bot_answers")
    with op.batch_alter_table("bot_settings") as batch:
        batch.drop_column("daily_limit")
