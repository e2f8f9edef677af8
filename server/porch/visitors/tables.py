"""Tables owned by visitors: the people on a site, and the pages they view."""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

visitors = sa.Table(
    "visitors",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),  # friendly generated until set
    sa.Column("email", sa.String(320)),
    sa.Column("attributes", sa.JSON, nullable=False),
    sa.Column("first_seen_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False),
    # The host site's own user id, set only once proven by an identity hash: one visitor
    # per verified user and site, whichever browser they come back on.
    sa.Column("external_id", sa.String(255)),
    sa.Column("verified", sa.Boolean, nullable=False, server_default=sa.false()),
    # What their browser said last (porch.visitors.browser), for the inbox's details.
    sa.Column("language", sa.String(35)),
    sa.Column("time_zone", sa.String(64)),
    sa.Column("user_agent", sa.String(500)),
    # When they last filled the site's pre-chat form (porch.embed.forms).
    sa.Column("prechat_at", UTCDateTime),
    sa.UniqueConstraint("site_id", "external_id", name="uq_visitors_site_external"),
)


page_views = sa.Table(
    "page_views",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "visitor_id", sa.ForeignKey("visitors.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("url", sa.String(2048), nullable=False),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("referrer", sa.String(2048), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)


contact_properties = sa.Table(
    # The definitions of a site's custom contact properties (porch.visitors.properties).
    "contact_properties",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column("key", sa.String(100), nullable=False),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("type", sa.String(16), nullable=False),  # text | number | boolean
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("site_id", "key", name="uq_contact_properties_site_id"),
)
