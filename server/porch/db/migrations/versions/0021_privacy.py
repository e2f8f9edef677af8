"""privacy

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-28 15:40:00.000000

Privacy (`porch.privacy`): the audit log of admin actions and visitors' consents; indexes
for the Analytics page's queries across sites and by conversation.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "privacy_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notice", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name="fk_privacy_consents_visitor_id_visitors",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name="fk_privacy_consents_site_id_sites", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_privacy_consents"),
    )
    op.create_index("ix_privacy_consents_visitor_id", "privacy_consents", ["visitor_id"])
    op.create_index("ix_reporting_events_kind_at", "reporting_events", ["kind", "at"])
    op.create_index("ix_reporting_events_conversation_id", "reporting_events", ["conversation_id"])
    op.create_index("ix_conversations_created_at", "conversations", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_conversations_created_at", table_name="conversations")
    op.drop_index("ix_reporting_events_conversation_id", table_name="reporting_events")
    op.drop_index("ix_reporting_events_kind_at", table_name="reporting_events")
    op.drop_index("ix_privacy_consents_visitor_id", table_name="privacy_consents")
    op.drop_table("privacy_consents")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
