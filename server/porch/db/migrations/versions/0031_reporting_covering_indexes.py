"""covering indexes for the Analytics page

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-28 20:10:00.000000

The reporting events' two range indexes (by site, kind and time; by kind and time across
sites) also carry the columns the Analytics figures read (who, which conversation, the
durations), so a figure over a month is read from the index alone instead of one table
row per fact.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CARRIED = ["operator_id", "conversation_id", "seconds", "business_seconds"]


def upgrade() -> None:
    op.drop_index("ix_reporting_events_site_kind_at", table_name="reporting_events")
    op.drop_index("ix_reporting_events_kind_at", table_name="reporting_events")
    op.create_index(
        "ix_reporting_events_site_kind_at", "reporting_events", ["site_id", "kind", "at", *CARRIED]
    )
    op.create_index(
        "ix_reporting_events_kind_at", "reporting_events", ["kind", "at", "site_id", *CARRIED]
    )


def downgrade() -> None:
    op.drop_index("ix_reporting_events_kind_at", table_name="reporting_events")
    op.drop_index("ix_reporting_events_site_kind_at", table_name="reporting_events")
    op.create_index("ix_reporting_events_kind_at", "reporting_events", ["kind", "at"])
    op.create_index(
        "ix_reporting_events_site_kind_at", "reporting_events", ["site_id", "kind", "at"]
    )
