"""Tables owned by the Shopify integration: installed shops (with their encrypted tokens),
OAuth state nonces, webhooks already handled, and customers' data requests."""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

shopify_shops = sa.Table(
    "shopify_shops",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shop", sa.String(255), nullable=False, unique=True),  # name.myshopify.com
    # The Porch site made for the shop; kept across an uninstall so a reinstall re-links it.
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="SET NULL"), index=True),
    # Tokens are sealed (porch.secrets); NULL once uninstalled.
    sa.Column("access_token", sa.Text),
    sa.Column("access_expires_at", UTCDateTime),
    sa.Column("refresh_token", sa.Text),
    sa.Column("refresh_expires_at", UTCDateTime),
    sa.Column("scopes", sa.String(1000), nullable=False),
    # The site's allowed origins, put aside at uninstall and put back on reinstall (empty
    # while installed: the site itself is the truth then, and operators may edit it).
    sa.Column("origins", sa.JSON, nullable=False),
    sa.Column("installed_at", UTCDateTime, nullable=False),
    sa.Column("uninstalled_at", UTCDateTime),
)

shopify_oauth_states = sa.Table(
    "shopify_oauth_states",
    metadata,
    sa.Column("nonce", sa.String(64), primary_key=True),
    sa.Column("shop", sa.String(255), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

shopify_webhooks = sa.Table(
    "shopify_webhooks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # X-Shopify-Webhook-Id: Shopify retries with the same id, so it makes handling idempotent.
    sa.Column("webhook_id", sa.String(100), nullable=False, unique=True),
    sa.Column("topic", sa.String(100), nullable=False),
    sa.Column("shop", sa.String(255), nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
)

shopify_data_requests = sa.Table(
    "shopify_data_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shop", sa.String(255), nullable=False, index=True),
    sa.Column("customer_id", sa.String(64), nullable=False),
    sa.Column("email", sa.String(320)),
    sa.Column("export", sa.JSON, nullable=False),  # what Porch holds about the customer
    sa.Column("requested_at", UTCDateTime, nullable=False),
)
