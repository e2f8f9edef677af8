"""The run log: for each node a run did, its inputs (the node's settings, the page), its
outcome (on to which node, waiting, sleeping, stopped) and any error (an invalid answer, a
stop with its reason), and each try of a webhook node's request (its HTTP status or why
it failed: `webhook_attempt`). Steps are recorded by wrapping the engine's actions
(`LoggedActions`, put in place by `attach`), read by the Flows pages per flow and per
conversation, and kept 30 days: a daily job (`RETENTION`, at the time `services.clock`
says) deletes older rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from porch.conversations.models import Message
from porch.db.engine import Database
from porch.flows import answers
from porch.flows.models import Run
from porch.flows.outcomes import Next, Outcome, Sleep, Stop, Wait
from porch.flows.tables import flow_runs, flow_steps
from porch.jobs.queue import enqueue

if TYPE_CHECKING:
    from porch.flows.actions import Actions
    from porch.flows.engine import FlowEngine
    from porch.services import Services

KEEP = timedelta(days=30)
RETENTION = "flows.log_retention"
MAX_TEXT = 200
HIDDEN = ("type", "x", "y")


@dataclass(frozen=True)
class Step:
    run_id: int
    flow_id: int
    conversation_id: int | None
    node: str
    node_type: str
    outcome: str
    detail: dict[str, Any]
    error: str | None
    created_at: datetime


class LoggedActions:
    """The engine's actions, each one written to the log as it ends."""

    def __init__(self, inner: Actions, db: Database, now: Any) -> None:
        self.inner = inner
        self.db = db
        self.now = now

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def perform(
        self, run: Run, node_id: str, node: dict[str, Any], document: dict[str, Any]
    ) -> Outcome:
        outcome = await self.inner.perform(run, node_id, node, document)
        said, error = _words(outcome)
        await self._write(run, node_id, node, said, error)
        return outcome

    async def answered(self, run: Run, node: dict[str, Any], message: Message) -> None:
        valid = answers.checked(node["input"], message.body) is not None
        error = None if valid else "invalid answer"
        said = "answered" if valid else "asked again"
        answer = {"answer": message.body[:MAX_TEXT]}
        await self._write(run, run.node or "", node, said, error, answer)
        await self.inner.answered(run, node, message)

    async def _write(
        self,
        run: Run,
        node_id: str,
        node: dict[str, Any],
        outcome: str,
        error: str | None,
        more: dict[str, Any] | None = None,
    ) -> None:
        inputs = {key: value for key, value in node.items() if key not in HIDDEN}
        detail = {"settings": inputs, "url": run.context.get("url", ""), **(more or {})}
        async with self.db.begin() as conn:
            conversation_id = await conn.scalar(
                sa.select(flow_runs.c.conversation_id).where(flow_runs.c.id == run.id)
            )
            await conn.execute(
                flow_steps.insert().values(
                    run_id=run.id,
                    flow_id=run.flow_id,
                    conversation_id=conversation_id,
                    node=node_id[:64],
                    node_type=str(node.get("type", ""))[:32],
                    outcome=outcome[:200],
                    detail=detail,
                    error=error[:1000] if error else None,
                    created_at=self.now(),
                )
            )


async def webhook_attempt(
    db: Database,
    payload: dict[str, Any],
    outcome: str,
    error: str | None,
    now: datetime,
    status: int | None = None,
) -> None:
    """One try of a `webhook` node's request (its job runs after the step that queued it,
    and again when it is retried): the status, or why it failed. Nothing is written once
    the run is gone (its flow deleted)."""
    body = payload.get("body") or {}
    run_id = body.get("run_id")
    settings = {"url": payload.get("url", ""), "method": payload.get("method", "POST")}
    detail: dict[str, Any] = {"settings": settings, "url": (body.get("page") or {}).get("url", "")}
    if status is not None:
        detail["status"] = status
    async with db.begin() as conn:
        found = (
            await conn.execute(
                sa.select(flow_runs.c.flow_id, flow_runs.c.conversation_id).where(
                    flow_runs.c.id == run_id
                )
            )
        ).first()
        if found is None:
            return
        await conn.execute(
            flow_steps.insert().values(
                run_id=run_id,
                flow_id=found.flow_id,
                conversation_id=found.conversation_id,
                node=str(payload.get("node") or "webhook")[:64],
                node_type="webhook",
                outcome=outcome[:200],
                detail=detail,
                error=error[:1000] if error else None,
                created_at=now,
            )
        )


def _words(outcome: Outcome) -> tuple[str, str | None]:
    if isinstance(outcome, Next):
        return (f"on to {outcome.node}" if outcome.node else "end of the flow"), None
    if isinstance(outcome, Wait):
        return "waiting for the visitor", None
    if isinstance(outcome, Sleep):
        return f"waiting {outcome.seconds:g} s", None
    assert isinstance(outcome, Stop)
    return "stopped", outcome.reason


async def for_flow(db: Database, flow_id: int, limit: int = 200) -> list[Step]:
    return await _read(db, flow_steps.c.flow_id == flow_id, limit)


async def for_conversation(db: Database, conversation_id: int, limit: int = 200) -> list[Step]:
    return await _read(db, flow_steps.c.conversation_id == conversation_id, limit)


async def _read(db: Database, where: Any, limit: int) -> list[Step]:
    columns = [c for c in flow_steps.c if c.name != "id"]
    query = (
        sa.select(*columns)
        .where(where)
        .order_by(flow_steps.c.created_at.desc(), flow_steps.c.id.desc())
        .limit(limit)
    )
    async with db.connect() as conn:
        return [Step(**row._mapping) for row in await conn.execute(query)]


async def purge(db: Database, now: datetime) -> int:
    """Delete what is older than `KEEP`; how many rows went."""
    async with db.begin() as conn:
        result = await conn.execute(flow_steps.delete().where(flow_steps.c.created_at < now - KEEP))
    return int(result.rowcount or 0)


def attach(services: Services, engine: FlowEngine) -> None:
    """Log every node the engine runs; purge daily from start-up on."""
    engine.actions = LoggedActions(engine.actions, services.db, services.clock.now)  # type: ignore[assignment]

    async def retention(payload: dict[str, Any]) -> None:
        now = services.clock.now()
        await purge(services.db, now)
        await schedule(services, now + timedelta(days=1))

    async def first(*_args: Any) -> None:
        await schedule(services, services.clock.now())

    services.jobs.register(RETENTION, retention)
    services.on_startup.append(first)


async def schedule(services: Services, at: datetime) -> None:
    async with services.db.begin() as conn:
        key = f"{RETENTION}:{at.date().isoformat()}"
        await enqueue(conn, RETENTION, {}, run_at=at, key=key)
    services.jobs.notify()
