"""Tables owned by privacy: the audit log and visitors' consents."""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

audit_log = sa.Table(
    "audit_log",
    metadata,
    # Admin actions that touch people's data or the rules for it: never updated.
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False, index=True),
    sa.Column("actor_kind", sa.String(16), nullable=False),  # operator | api | system
    sa.Column("actor_id", sa.Integer),  # no FK: the log outlives the operator
    sa.Column("actor_name", sa.String(200), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),  # contact.export | contact.erase | …
    sa.Column("site_id", sa.Integer),
    sa.Column("subject", sa.String(200), nullable=False),  # what it was done to, as text
    sa.Column("detail", sa.JSON, nullable=False),
)

consents = sa.Table(
    "privacy_consents",
    metadata,
    # A visitor agreed to the site's privacy notice: when, and to which text.
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "visitor_id", sa.ForeignKey("visitors.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("notice", sa.Text, nullable=False),
    sa.Column("link", sa.String(2000)),
)
