"""Tables owned by webhooks: endpoints per site, deliveries and each attempt's outcome."""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

webhook_endpoints = sa.Table(
    "webhook_endpoints",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("events", sa.JSON, nullable=False),  # event names; ["*"]: every event
    sa.Column("secret", sa.String(100), nullable=False),  # whsec_…
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("allow_private", sa.Boolean, nullable=False),  # set by an admin (CLI) only
    sa.Column("disabled_reason", sa.String(300)),
    sa.Column("failing_since", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "endpoint_id", sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("message_id", sa.String(64), nullable=False),  # webhook-id, kept on retries
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | delivered | failed
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
)

webhook_attempts = sa.Table(
    "webhook_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "delivery_id",
        sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("status_code", sa.Integer),
    sa.Column("response", sa.Text, nullable=False),  # the first bytes of the reply body
    sa.Column("error", sa.String(500)),
    sa.Column("duration_ms", sa.Integer, nullable=False),
)
