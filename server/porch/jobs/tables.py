"""The `jobs` table: one row per piece of background work still to do (or that gave up).

A row's life: `queued` (waiting for `run_at`) → `running` (claimed; `locked_until` is the
lease) → deleted when its handler succeeds, back to `queued` with a later `run_at` when it
fails, or `dead` after its last try. Done jobs are deleted, not kept: the table holds only
work in hand and failures, so it stays small and a `key` can be scheduled again once its
job has run.
"""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
"""Never stored: a job that succeeds is deleted (see the module docstring)."""
DEAD = "dead"
STATUSES = (QUEUED, RUNNING, DONE, DEAD)

jobs = sa.Table(
    "jobs",
    metadata,
    # 64-bit on PostgreSQL: every job takes an id and a busy server goes through billions.
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("kind", sa.String(100), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    # Tries started so far; also fences a claim: a worker's writes about a job name the
    # attempt it claimed, so a worker whose lease ran out cannot touch the next claim.
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("max_attempts", sa.Integer, nullable=False),
    sa.Column("run_at", UTCDateTime, nullable=False),
    sa.Column("locked_until", UTCDateTime, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    # Optional: while a row with this key exists, enqueueing the same key again is a no-op.
    sa.Column("key", sa.String(200), nullable=True, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_jobs_status_run_at", "status", "run_at"),
)
