"""Tables owned by the operators feature."""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

operators = sa.Table(
    "operators",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),  # argon2id
    sa.Column("created_at", UTCDateTime, nullable=False),
)

operator_sessions = sa.Table(
    "operator_sessions",
    metadata,
    # sha256 (hex) of the random token in the cookie: a leaked table opens no sessions.
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column(
        "operator_id",
        sa.Integer,
        sa.ForeignKey("operators.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("user_agent", sa.String(300), nullable=False),
    sa.Column("ip", sa.String(64), nullable=False),
)
