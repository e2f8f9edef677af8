"""visitor identity

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 08:00:00.000000

Each site gets an identity secret (existing sites get a fresh random one), and visitors can
carry a verified identity: the host site's own user id, proven by an HMAC under that secret.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("identity_secret", sa.String(length=64), nullable=True))
    site_table = sa.table("sites", sa.column("id", sa.Integer), sa.column("identity_secret"))
    connection = op.get_bind()
    for (site_id,) in connection.execute(sa.select(site_table.c.id)).all():
        connection.execute(
            site_table.update()
            .where(site_table.c.id == site_id)
            .values(identity_secret=secrets.token_hex(32))
        )
    with op.batch_alter_table("sites") as batch:
        batch.alter_column("identity_secret", existing_type=sa.String(64), nullable=False)
    with op.batch_alter_table("visitors") as batch:
        batch.add_column(sa.Column("external_id", sa.String(length=255), nullable=True))
        batch.add_column(
            sa.Column("verified", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_unique_constraint(
            op.f("uq_visitors_site_external"), ["site_id", "external_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("visitors") as batch:
        batch.drop_constraint(op.f("uq_visitors_site_external"), type_="unique")
        batch.drop_column("verified")
        batch.drop_column("external_id")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("identity_secret")
