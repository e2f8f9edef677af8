"""operator avatars; the visitor's browser (language, time zone, user agent); pre-chat

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-28 19:10:00.000000

An operator's avatar is a small square image kept in `operator_avatars`, named by its
digest on the operator's row (`operators.avatar_digest`) so its URL can be cached for
ever. A visitor's row keeps what their browser last said (language, time zone, user
agent) for the inbox's details panel, and when they last filled the pre-chat form
(`prechat_at`), which the server checks before their first message.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.add_column(sa.Column("avatar_digest", sa.String(64), nullable=True))
    op.create_table(
        "operator_avatars",
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("operator_id"),
        sa.UniqueConstraint("digest", name="uq_operator_avatars_digest"),
    )
    with op.batch_alter_table("visitors") as batch:
        batch.add_column(sa.Column("language", sa.String(35), nullable=True))
        batch.add_column(sa.Column("time_zone", sa.String(64), nullable=True))
        batch.add_column(sa.Column("user_agent", sa.String(500), nullable=True))
        batch.add_column(sa.Column("prechat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("visitors") as batch:
        batch.drop_column("prechat_at")
        batch.drop_column("user_agent")
        batch.drop_column("time_zone")
        batch.drop_column("language")
    op.drop_table("operator_avatars")
    with op.batch_alter_table("operators") as batch:
        batch.drop_column("avatar_digest")
