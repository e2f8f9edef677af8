"""Tables owned by canned replies."""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

canned_replies = sa.Table(
    "canned_replies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    # None: shared by the site's operators; else this operator's own.
    sa.Column("operator_id", sa.ForeignKey("operators.id", ondelete="CASCADE")),
    sa.Column("shortcut", sa.String(32), nullable=False),  # typed after "/" in the reply box
    sa.Column("title", sa.String(100), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_canned_replies_site_shortcut", "site_id", "shortcut"),
)
