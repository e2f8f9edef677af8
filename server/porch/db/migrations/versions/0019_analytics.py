"""analytics

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-28 13:10:00.000000

Analytics (`porch.analytics`): immutable reporting events, one per fact (unique `key`),
with their wall-clock and business-hours durations.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reporting_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("business_seconds", sa.Float(), nullable=True),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name="fk_reporting_events_site_id_sites",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reporting_events"),
        sa.UniqueConstraint("key", name="uq_reporting_events_key"),
    )
    op.create_index(
        "ix_reporting_events_site_kind_at", "reporting_events", ["site_id", "kind", "at"]
    )


def downgrade() -> None:
    op.drop_index("ix_reporting_events_site_kind_at", table_name="reporting_events")
    op.drop_table("reporting_events")
