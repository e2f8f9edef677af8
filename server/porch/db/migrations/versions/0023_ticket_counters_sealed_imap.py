"""ticket counters

Revision ID: 0023
Revises: 0021
Create Date: 2026-11-28 15:30:00.000000

Tickets (`porch.tickets.references`): `ticket_counters` holds each site's last ticket
reference, bumped atomically by the transaction that makes a ticket, so a burst of mail
or API creations gets distinct, consecutive references. Filled from the tickets there are.
(IMAP passwords in site settings are sealed by the email feature when it starts: sealing
needs the installation's secret key, which migrations do not have.)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ticket_counters",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("last_reference", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_ticket_counters_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_ticket_counters")),
    )
    op.execute(
        "INSERT INTO ticket_counters (site_id, last_reference)"
        " SELECT site_id, MAX(reference) FROM tickets GROUP BY site_id"
    )


def downgrade() -> None:
    op.drop_table("ticket_counters")
