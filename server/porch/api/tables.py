"""Tables owned by the API: keys (stored hashed) and remembered idempotent replies."""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("scope", sa.String(8), nullable=False),  # read | write
    sa.Column("prefix", sa.String(16), nullable=False),  # shown so people tell keys apart
    # SHA-256 of the whole token: tokens are 256 random bits, so a fast hash is enough and
    # every request can look its key up by it.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_used_at", UTCDateTime),
    sa.Column("revoked_at", UTCDateTime),
)

api_idempotency = sa.Table(
    "api_idempotency",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key_id", sa.ForeignKey("api_keys.id", ondelete="CASCADE"), nullable=False),
    sa.Column("idempotency_key", sa.String(200), nullable=False),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("body", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("key_id", "idempotency_key", name="uq_api_idempotency_key_id"),
)
