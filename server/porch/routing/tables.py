"""Tables owned by routing: where each site's round-robin stands, shared by every process."""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

routing_cursors = sa.Table(
    "routing_cursors",
    metadata,
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),  # chat | ticket
    # The operator who got the last item of this kind: the next goes to the one after.
    sa.Column("last_operator_id", sa.Integer, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)
