"""shopify

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 09:00:00.000000

The Shopify app's tables: installed shops with their (encrypted) tokens, OAuth state
nonces, webhook ids already handled, and customers' data requests.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shopify_shops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop", sa.String(length=255), nullable=False),
        sa.Column(
            "site_id",
            sa.Integer(),
            sa.ForeignKey(
                "sites.id", name=op.f("fk_shopify_shops_site_id_sites"), ondelete="SET NULL"
            ),
            nullable=True,
        ),
        sa.Column("access_token", sa.Text(), nullable=True),
        sa.Column("access_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refresh_token", sa.Text(), nullable=True),
        sa.Column("refresh_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scopes", sa.String(length=1000), nullable=False),
        sa.Column("origins", sa.JSON(), nullable=False),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uninstalled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shopify_shops")),
        sa.UniqueConstraint("shop", name=op.f("uq_shopify_shops_shop")),
    )
    op.create_index(op.f("ix_shopify_shops_site_id"), "shopify_shops", ["site_id"])
    op.create_table(
        "shopify_oauth_states",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("shop", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_shopify_oauth_states")),
    )
    op.create_table(
        "shopify_webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.String(length=100), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("shop", sa.String(length=255), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shopify_webhooks")),
        sa.UniqueConstraint("webhook_id", name=op.f("uq_shopify_webhooks_webhook_id")),
    )
    op.create_table(
        "shopify_data_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop", sa.String(length=255), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("export", sa.JSON(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shopify_data_requests")),
    )
    op.create_index(op.f("ix_shopify_data_requests_shop"), "shopify_data_requests", ["shop"])


def downgrade() -> None:
    op.drop_index(op.f("ix_shopify_data_requests_shop"), table_name="shopify_data_requests")
    op.drop_table("shopify_data_requests")
    op.drop_table("shopify_webhooks")
    op.drop_table("shopify_oauth_states")
    op.drop_index(op.f("ix_shopify_shops_site_id"), table_name="shopify_shops")
    op.drop_table("shopify_shops")
