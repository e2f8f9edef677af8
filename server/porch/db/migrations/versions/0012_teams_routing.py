"""teams and routing

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 12:00:00.000000

Operators get a role (existing ones become admins), a deactivation time, skills and
capacity; one-time invitations (`operator_invites`, token stored hashed); teams with
members and a lead; `team_id` on tickets and conversations; and `routing_cursors`, where
each site's round-robin stands (shared by every server process).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.add_column(
            sa.Column("role", sa.String(length=16), nullable=False, server_default="admin")
        )
        batch.add_column(_at("deactivated_at"))
        batch.add_column(
            sa.Column("skills", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(sa.Column("max_chats", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("max_tickets", sa.Integer(), nullable=True))
    op.create_table(
        "operator_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        _at("created_at", nullable=False),
        _at("expires_at", nullable=False),
        _at("used_at"),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["operators.id"],
            name=op.f("fk_operator_invites_invited_by_operators"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_invites")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_operator_invites_token_hash")),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        _at("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["operators.id"],
            name=op.f("fk_teams_lead_id_operators"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_teams_name")),
    )
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_members_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
            name=op.f("fk_team_members_operator_id_operators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "operator_id", name=op.f("pk_team_members")),
    )
    op.create_index("ix_team_members_operator_id", "team_members", ["operator_id"])
    for table in ("tickets", "conversations"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(
                f"fk_{table}_team_id_teams", "teams", ["team_id"], ["id"], ondelete="SET NULL"
            )
    op.create_table(
        "routing_cursors",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("last_operator_id", sa.Integer(), nullable=False),
        _at("updated_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_routing_cursors_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "kind", name=op.f("pk_routing_cursors")),
    )


def downgrade() -> None:
    op.drop_table("routing_cursors")
    for table in ("conversations", "tickets"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_team_id_teams", type_="foreignkey")
            batch.drop_column("team_id")
    op.drop_index("ix_team_members_operator_id", table_name="team_members")
    op.drop_table("team_members")
    op.drop_table("teams")
    op.drop_table("operator_invites")
    with op.batch_alter_table("operators") as batch:
        for column in ("max_tickets", "max_chats", "skills", "deactivated_at", "role"):
            batch.drop_column(column)
