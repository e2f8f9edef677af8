"""Tables owned by analytics."""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

CARRIED = ("operator_id", "conversation_id", "seconds", "business_seconds")
"""What the figures read besides site, kind and time (the operator and team filters)."""

reporting_events = sa.Table(
    "reporting_events",
    metadata,
    # Immutable facts derived from domain events; figures are computed from these rows.
    sa.Column("id", sa.Integer, primary_key=True),
    # One row per fact ("first_response:12"): a job that runs twice records once.
    sa.Column("key", sa.String(160), nullable=False, unique=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),  # first_response | reply | resolution | …
    sa.Column("conversation_id", sa.Integer),  # no FK: facts outlive what they describe
    sa.Column("ticket_id", sa.Integer),
    sa.Column("operator_id", sa.Integer),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("seconds", sa.Float),  # wall-clock duration the fact measures, if any
    sa.Column("business_seconds", sa.Float),  # the same within the site's business hours
    sa.Column("value", sa.Integer),  # a rating's score
    sa.Column("comment", sa.Text),  # a rating's comment
    sa.Column("priority", sa.String(16)),  # an SLA fact's ticket priority at the time
    sa.Column("flow_id", sa.Integer),  # a flow fact's flow (no FK, like the ids above)
    # Covering (0031): the figures over a range read these columns from the index alone
    # (one table row per fact read made percentiles over a month slow at 1M facts).
    sa.Index("ix_reporting_events_site_kind_at", "site_id", "kind", "at", *CARRIED),
    sa.Index("ix_reporting_events_kind_at", "kind", "at", "site_id", *CARRIED),  # every site
    sa.Index("ix_reporting_events_conversation_id", "conversation_id"),  # drill-down, erasure
)
