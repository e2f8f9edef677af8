"""Tables owned by sites: the shops that embed the widget."""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

sites = sa.Table(
    "sites",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("allowed_origins", sa.JSON, nullable=False),  # ["https://shop.example"]
    sa.Column("settings", sa.JSON, nullable=False),  # {"typing_preview": true, ...}
    # Signs the host site's user ids (docs/identity.md); never sent to browsers.
    sa.Column("identity_secret", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)
