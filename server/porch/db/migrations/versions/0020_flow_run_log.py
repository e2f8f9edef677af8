"""flow run log

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-28 15:45:00.000000

The flows run log (`porch.flows.run_log`): one row per node a run did, with its inputs,
outcome and any error, for the Flows pages; kept 30 days.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "flow_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("flow_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("node", sa.String(length=64), nullable=False),
        sa.Column("node_type", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["flow_runs.id"], name="fk_flow_steps_run_id_flow_runs", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["flow_id"], ["flows.id"], name="fk_flow_steps_flow_id_flows", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_flow_steps_conversation_id_conversations",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_flow_steps"),
    )
    op.create_index("ix_flow_steps_flow_created", "flow_steps", ["flow_id", "created_at"])
    op.create_index("ix_flow_steps_conversation", "flow_steps", ["conversation_id"])
    op.create_index("ix_flow_steps_created", "flow_steps", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_flow_steps_created", table_name="flow_steps")
    op.drop_index("ix_flow_steps_conversation", table_name="flow_steps")
    op.drop_index("ix_flow_steps_flow_created", table_name="flow_steps")
    op.drop_table("flow_steps")
