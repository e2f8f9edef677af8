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
