"""message parts

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 12:00:00.000000

`messages.parts`: the structured pieces of a message that are not its text, keyed by
kind (`choices` offered by a flow, `sources` the bot cited, `attachments`, …). Each
feature owns its key; a message without any keeps NULL, so the column costs nothing on
the message path.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("parts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("parts")
