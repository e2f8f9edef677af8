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
    # admin (everything) | agent (chats and tickets; no settings, no operator management)
    sa.Column("role", sa.String(16), nullable=False, server_default="admin"),
    # Set: cannot sign in, gets nothing routed; kept so history still names them.
    sa.Column("deactivated_at", UTCDateTime),
    # Tags this operator handles (routing matches ticket tags against them).
    sa.Column("skills", sa.JSON, nullable=False, server_default=sa.text("'[]'")),
    # Most open chats / open tickets routing gives them at once; None: no limit.
    sa.Column("max_chats", sa.Integer),
    sa.Column("max_tickets", sa.Integer),
    # sha256 (hex) of their avatar image (`operator_avatars`), its URL's name; None: initials.
    sa.Column("avatar_digest", sa.String(64)),
)

operator_avatars = sa.Table(
    # One small square image per operator (porch.operators.avatars), served by digest.
    "operator_avatars",
    metadata,
    sa.Column("operator_id", sa.ForeignKey("operators.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("image", sa.LargeBinary, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("digest", name="uq_operator_avatars_digest"),
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


operator_invites = sa.Table(
    "operator_invites",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # sha256 (hex) of the token in the link: the table alone opens no invitation.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("invited_by", sa.ForeignKey("operators.id", ondelete="SET NULL")),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("used_at", UTCDateTime),
)

teams = sa.Table(
    "teams",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("lead_id", sa.ForeignKey("operators.id", ondelete="SET NULL")),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

team_members = sa.Table(
    "team_members",
    metadata,
    sa.Column("team_id", sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "operator_id",
        sa.ForeignKey("operators.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)
