"""reporting events for SLA hits and flows

Revision ID: 0030
Revises: 0028
Create Date: 2026-11-28 19:10:00.000000

Reporting events carry an SLA fact's ticket priority (`priority`) and a flow fact's flow
(`flow_id`), so SLA compliance by priority and flows' figures are derived from them. The
upgrade writes the facts the recorder would have written for what is already there: the
priority of recorded misses, a `sla_hit` per deadline met (`sla_records`), and a
`flow_triggered` per flow run with a `flow_goal` per run that reached its end.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

events = sa.table(
    "reporting_events",
    sa.column("key", sa.String),
    sa.column("site_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("conversation_id", sa.Integer),
    sa.column("ticket_id", sa.Integer),
    sa.column("operator_id", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("priority", sa.String),
    sa.column("flow_id", sa.Integer),
)
tickets = sa.table(
    "tickets",
    sa.column("id", sa.Integer),
    sa.column("site_id", sa.Integer),
    sa.column("conversation_id", sa.Integer),
    sa.column("assignee_id", sa.Integer),
    sa.column("priority", sa.String),
)
sla_records = sa.table(
    "sla_records",
    sa.column("ticket_id", sa.Integer),
    sa.column("target", sa.String),
    sa.column("outcome", sa.String),
    sa.column("due_at", sa.DateTime(timezone=True)),
    sa.column("at", sa.DateTime(timezone=True)),
)
flows = sa.table("flows", sa.column("id", sa.Integer), sa.column("site_id", sa.Integer))
flow_runs = sa.table(
    "flow_runs",
    sa.column("id", sa.Integer),
    sa.column("flow_id", sa.Integer),
    sa.column("conversation_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("started_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("reporting_events") as batch:
        batch.add_column(sa.Column("priority", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("flow_id", sa.Integer(), nullable=True))
    bind = op.get_bind()
    bind.execute(
        events.update()
        .where(events.c.kind == "sla_miss")
        .values(
            priority=sa.select(tickets.c.priority)
            .where(tickets.c.id == events.c.ticket_id)
            .scalar_subquery()
        )
    )
    rows = [*_sla_hits(bind), *_flow_facts(bind)]
    taken = set(bind.scalars(sa.select(events.c.key)))
    fresh = [row for row in rows if row["key"] not in taken]
    if fresh:
        bind.execute(events.insert(), fresh)


def _utc(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite without the column's type
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sla_hits(bind: sa.Connection) -> list[dict[str, object]]:
    query = sa.select(
        sla_records.c.ticket_id, sla_records.c.target, sla_records.c.due_at, sla_records.c.at,
        tickets.c.site_id, tickets.c.conversation_id, tickets.c.assignee_id, tickets.c.priority,
    ).join(tickets, tickets.c.id == sla_records.c.ticket_id).where(
        sla_records.c.outcome == "met"
    )  # fmt: skip
    found = []
    for row in bind.execute(query):
        due = _utc(row.due_at)
        found.append({
            "key": f"sla_hit:{row.ticket_id}:{row.target}:{due.isoformat()}",
            "site_id": row.site_id, "kind": "sla_hit", "conversation_id": row.conversation_id,
            "ticket_id": row.ticket_id, "operator_id": row.assignee_id,
            "at": _stored(bind, _utc(row.at)), "priority": row.priority, "flow_id": None,
        })  # fmt: skip
    return found


def _flow_facts(bind: sa.Connection) -> list[dict[str, object]]:
    query = sa.select(
        flow_runs.c.id, flow_runs.c.flow_id, flow_runs.c.conversation_id, flow_runs.c.status,
        flow_runs.c.started_at, flow_runs.c.updated_at, flows.c.site_id,
    ).join(flows, flows.c.id == flow_runs.c.flow_id)  # fmt: skip
    found = []
    for row in bind.execute(query):
        common = {
            "site_id": row.site_id, "conversation_id": row.conversation_id, "ticket_id": None,
            "operator_id": None, "priority": None, "flow_id": row.flow_id,
        }  # fmt: skip
        at = _stored(bind, _utc(row.started_at))
        found.append({"key": f"flow_triggered:{row.id}", "kind": "flow_triggered", "at": at,
                      **common})  # fmt: skip
        if row.status == "done":
            done = _stored(bind, _utc(row.updated_at))
            found.append({"key": f"flow_goal:{row.id}", "kind": "flow_goal", "at": done, **common})
    return found


def _stored(bind: sa.Connection, at: datetime) -> datetime:
    """UTC as the app stores it: naive on SQLite, with its zone on PostgreSQL."""
    return at.replace(tzinfo=None) if bind.dialect.name == "sqlite" else at


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(
        events.delete().where(events.c.kind.in_(("sla_hit", "flow_triggered", "flow_goal")))
    )
    with op.batch_alter_table("reporting_events") as batch:
        batch.drop_column("flow_id")
        batch.drop_column("priority")
