"""ticket views, fields, statuses, templates and merging

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 12:00:00.000000

Tickets, second slice (`porch.tickets`): merged tickets point at the one they went into
and extra conversations hang on a ticket (`ticket_conversations`); the soonest deadline and
its 80% instant are stored for the SLA-state filter; custom statuses (mapped to a built-in
one), custom fields and their values, saved views and templates get tables; indexes for
the views.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(table: str, column: str, referred: str, ondelete: str = "CASCADE") -> sa.Constraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=f"fk_{table}_{column}_{referred}", ondelete=ondelete
    )


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(_at("sla_warn_at"))
        batch.add_column(_at("sla_due_at"))
        batch.add_column(sa.Column("custom_status", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_tickets_merged_into_id_tickets",
            "tickets",
            ["merged_into_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index(
        "ix_tickets_status_priority_created", "tickets", ["status", "priority", "created_at"]
    )
    op.create_index("ix_tickets_assignee_status", "tickets", ["assignee_id", "status"])
    op.create_index("ix_tickets_status_resolved", "tickets", ["status", "resolved_at"])
    op.create_index("ix_tickets_updated", "tickets", ["updated_at"])
    op.create_table(
        "ticket_conversations",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        _at("added_at", nullable=False),
        _fk("ticket_conversations", "ticket_id", "tickets"),
        _fk("ticket_conversations", "conversation_id", "conversations"),
        sa.PrimaryKeyConstraint("ticket_id", "conversation_id", name="pk_ticket_conversations"),
    )
    op.create_index(
        "ix_ticket_conversations_conversation_id", "ticket_conversations", ["conversation_id"]
    )
    op.create_table(
        "ticket_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("sort", sa.String(length=16), nullable=False),
        _at("created_at", nullable=False),
        _fk("ticket_views", "owner_id", "operators"),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_views"),
    )
    op.create_index("ix_ticket_views_owner_id", "ticket_views", ["owner_id"])
    op.create_table(
        "ticket_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _fk("ticket_fields", "site_id", "sites"),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_fields"),
        sa.UniqueConstraint("site_id", "name", name="uq_ticket_fields_site_name"),
    )
    op.create_table(
        "ticket_field_values",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        _fk("ticket_field_values", "ticket_id", "tickets"),
        _fk("ticket_field_values", "field_id", "ticket_fields"),
        sa.PrimaryKeyConstraint("ticket_id", "field_id", name="pk_ticket_field_values"),
    )
    op.create_index(
        "ix_ticket_field_values_field_value", "ticket_field_values", ["field_id", "value"]
    )
    op.create_table(
        "ticket_statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("maps_to", sa.String(length=16), nullable=False),
        _fk("ticket_statuses", "site_id", "sites"),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_statuses"),
        sa.UniqueConstraint("site_id", "name", name="uq_ticket_statuses_site_name"),
    )
    op.create_table(
        "ticket_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _fk("ticket_templates", "site_id", "sites"),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_templates"),
        sa.UniqueConstraint("site_id", "name", name="uq_ticket_templates_site_name"),
    )


def downgrade() -> None:
    op.drop_table("ticket_templates")
    op.drop_table("ticket_statuses")
    op.drop_index("ix_ticket_field_values_field_value", table_name="ticket_field_values")
    op.drop_table("ticket_field_values")
    op.drop_table("ticket_fields")
    op.drop_index("ix_ticket_views_owner_id", table_name="ticket_views")
    op.drop_table("ticket_views")
    op.drop_index("ix_ticket_conversations_conversation_id", table_name="ticket_conversations")
    op.drop_table("ticket_conversations")
    for name in (
        "ix_tickets_updated",
        "ix_tickets_status_resolved",
        "ix_tickets_assignee_status",
        "ix_tickets_status_priority_created",
    ):
        op.drop_index(name, table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint("fk_tickets_merged_into_id_tickets", type_="foreignkey")
        batch.drop_column("merged_into_id")
        batch.drop_column("custom_status")
        batch.drop_column("sla_due_at")
        batch.drop_column("sla_warn_at")
