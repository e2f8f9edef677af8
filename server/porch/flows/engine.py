"""The flow engine: starts a flow for a visitor when its trigger fires, then walks its
nodes. Each node is one claimed step of the run (`runs.claim`), so a step is done once
even when a job and an edge race; a delay, a typing pause or a timer trigger is a job
with a `run_at`, so a restart loses none; questions and buttons wait for the visitor's
next message (`answer`)."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from porch.actors import Actor
from porch.errors import NotFound
from porch.flows import conditions, runs, triggers
from porch.flows.events import FlowGoalReached, FlowStarted, FlowStopped
from porch.flows.facts import Facts, gather, visit_start
from porch.flows.models import Flow, Run
from porch.flows.outcomes import Next, Outcome, Stop, Wait
from porch.flows.store import FlowStore
from porch.jobs.queue import enqueue
from porch.sites import queries as site_queries
from porch.visitors import queries as visitor_queries

if TYPE_CHECKING:
    from porch.conversations.models import Message
    from porch.services import Services

log = logging.getLogger(__name__)

STEP = "flows.step"
HANDOFF = timedelta(seconds=5)
"""A step job is its causer's to run at once (`_drive`); a worker runs it after this if
the causer died first."""
STUCK_AFTER = timedelta(minutes=1)
MAX_STEPS = 50
"""Nodes a run may pass without waiting for the visitor or a timer: more is a cycle."""
MAX_CHAIN = 10
"""Flows starting flows: deeper than this is stopped like a loop."""


@dataclass(frozen=True)
class Started:
    """What starting a flow from the loader did, for its reply: the messages posted at
    once (the loader shows the first as a teaser) and whether the flow opens the chat."""

    run: Run
    messages: list[Message]
    open_widget: bool


class FlowEngine:
    def __init__(self, services: Services) -> None:
        from porch.flows.actions import Actions

        self.services = services
        self.store = FlowStore(services.db, services.events, services.clock)
        self.actions = Actions(self)

    @property
    def now(self) -> Any:
        return self.services.clock.now()

    # -- deciding --------------------------------------------------------------------

    async def facts(self, visitor_id: int, context: dict[str, Any] | None = None) -> Facts:
        async with self.services.db.connect() as conn:
            visitor = await visitor_queries.visitor(conn, visitor_id)
            if visitor is None:
                raise NotFound(f"no visitor {visitor_id}")
            site = await site_queries.site(conn, visitor.site_id)
            assert site is not None
            online = await self.services.presence.operators_online()
            return await gather(conn, visitor, site, self.now, online, context)

    async def watchers(self, visitor_id: int, context: dict[str, Any]) -> list[dict[str, Any]]:
        """What the loader should watch for on this page, highest priority first: only
        enabled flows whose trigger and audience apply, not capped, and none while an
        operator is in the visitor's conversation."""
        visitor = await self.services.visitors.get(visitor_id)
        if visitor is None:
            return []
        candidates = await self.store.enabled(visitor.site_id)
        if not candidates:
            return []  # the common case costs one indexed query per page view
        facts = await self.facts(visitor_id, context)
        async with self.services.db.connect() as conn:
            if await runs.operator_in(conn, visitor_id):
                return []
            watching = []
            for flow in candidates:
                spec = triggers.watcher(flow, facts)
                if spec is None:
                    continue
                if await runs.capped(conn, flow, visitor_id, visit_start(facts), facts.now):
                    continue
                watching.append(spec)
        return watching

    # -- starting --------------------------------------------------------------------

    async def fire(
        self,
        visitor_id: int,
        on: str,
        flow_ids: list[int],
        context: dict[str, Any],
        event: str | None = None,
    ) -> Started | None:
        """The loader says a watcher fired: start the highest-priority flow among
        `flow_ids` that still applies (checked again here, with the cart it sent)."""
        facts = await self.facts(visitor_id, context)
        chosen: Flow | None = None
        for flow in await self.store.enabled(facts.site.id):
            if flow.id not in flow_ids:
                continue
            spec = triggers.watcher(flow, facts)
            if spec is None or not triggers.fired(spec, on, event, facts):
                continue
            if conditions.all_hold(flow.document.get("conditions", []), facts):
                chosen = flow
                break  # `enabled` lists the highest priority first
        if chosen is None:
            return None
        run = await self.start(chosen, facts)
        if run is None:
            return None
        return await self._started(run)

    async def _started(self, run: Run) -> Started:
        async with self.services.db.connect() as conn:
            current = await runs.get(conn, run.id)
        posted = []
        if current is not None and current.conversation_id is not None:
            shown = await self.services.conversations.messages(
                current.conversation_id, include_internal=False
            )
            posted = [m for m in shown if m.client_id.startswith(f"flow-{run.id}-")]
        opened = bool(current and current.context.get("open_widget"))
        return Started(current or run, posted, opened)

    async def start(
        self,
        flow: Flow,
        facts: Facts,
        *,
        chain: tuple[int, ...] = (),
        conversation_id: int | None = None,
        interrupt_check: bool = True,
    ) -> Run | None:
        """A run of `flow` for the visitor unless its cap, an operator in the conversation
        or another running flow says no; it then runs (`_drive`) until it waits or sleeps.
        The run and its first step's job are one transaction: a crash after the trigger
        loses nothing (a worker runs the step)."""
        if flow.id in chain or len(chain) >= MAX_CHAIN:
            log.warning("flow loop stopped: %s starts flow %s again", chain, flow.id)
            await self.services.events.publish(FlowStopped(0, flow.id, facts.visitor.id, "loop"))
            return None
        visitor_id = facts.visitor.id
        async with self.services.events.transaction(self.services.db) as unit:
            if interrupt_check and await runs.operator_in(unit.conn, visitor_id):
                return None
            if not chain and await runs.active(unit.conn, visitor_id):
                return None  # one flow at a time: the one already talking goes on
            if await runs.capped(unit.conn, flow, visitor_id, visit_start(facts), facts.now):
                return None
            context = {**facts.context(), "chain": [*chain, flow.id]}
            run = await runs.insert(unit.conn, flow, visitor_id, context, self.now, conversation_id)
            await self._enqueue(unit.conn, run.id, 0, flow.document["start"], [])
            await unit.record(
                FlowStarted(run.id, flow.id, flow.site_id, visitor_id, conversation_id, self.now)
            )
        await self._drive(run.id)
        return run

    # -- running ---------------------------------------------------------------------
    # Every step is a job (`STEP`), enqueued in the transaction that settles the step
    # before it (or starts the run, or takes the visitor's answer). Whoever caused it
    # runs it at once through the queue (`_drive`); if that process dies, a worker
    # runs it when the handoff or the lease runs out.

    async def document(self, run: Run) -> dict[str, Any] | None:
        return await self.store.version(run.flow_id, run.version)

    async def _enqueue(
        self,
        conn: Any,
        run_id: int,
        step: int,
        node: str | None,
        visited: list[str],
        *,
        after: float | None = None,
        reprompt: str | None = None,
    ) -> None:
        """The job for step `step` (the run's step counter when it was enqueued) at `node`;
        `visited`: nodes done since the run last waited (a cycle check)."""
        payload: dict[str, Any] = {"run_id": run_id, "step": step, "node": node}
        if visited:
            payload["visited"] = visited
        if reprompt is not None:
            payload["reprompt"] = reprompt
        delay = HANDOFF if after is None else timedelta(seconds=after)
        await enqueue(conn, STEP, payload, run_at=self.now + delay, key=step_key(run_id, step))

    async def _drive(self, run_id: int) -> None:
        """Run the run's queued steps in this task, each claimed as its job, until it
        waits, sleeps or ends (a reply waits for the messages; no worker hop per step).
        A step this task cannot claim is a worker's. Nested (a step starting another
        flow, or a step job run from here) it leaves the run to the outer loop."""
        driving = _DRIVING.get()
        if run_id in driving:
            return
        token = _DRIVING.set(driving | {run_id})
        try:
            for _ in range(MAX_STEPS + 1):
                async with self.services.db.connect() as conn:
                    run = await runs.get(conn, run_id)
                if run is None or run.status != "running":
                    return
                if not await self.services.jobs.run_now(step_key(run_id, run.step)):
                    return
        finally:
            _DRIVING.reset(token)

    async def step(self, payload: dict[str, Any]) -> None:
        """Job: do one node of a run, then drive the rest. A job whose run has moved on
        does nothing; one whose step was claimed by a try that died (same step, still
        running at its node) does the node again: actions are idempotent by step."""
        run_id, step, node_id = int(payload["run_id"]), int(payload["step"]), payload.get("node")
        async with self.services.db.begin() as conn:
            run = await runs.get(conn, run_id)
            if run is None or run.status not in runs.ACTIVE:
                return
            retried = run.step == step + 1 and run.status == "running" and run.node == node_id
            if not retried:
                if run.step != step or not await runs.claim(conn, run, node_id, self.now):
                    return  # stale: the run moved on
                run = await runs.get(conn, run_id) or run
        await self._do(run, node_id, payload)
        await self._drive(run_id)

    async def _do(self, run: Run, node_id: str | None, payload: dict[str, Any]) -> None:
        if node_id is None:
            await self._finish(run, "done")
            return
        visited: list[str] = payload.get("visited") or []
        if node_id in visited:
            log.warning("flow %s stopped: node %s again without waiting", run.flow_id, node_id)
            await self._stop(run, "loop")
            return
        if len(visited) >= MAX_STEPS:
            log.warning("flow %s stopped: %s nodes without waiting", run.flow_id, MAX_STEPS)
            await self._stop(run, "loop")
            return
        document = await self.document(run)
        node = document["nodes"].get(node_id) if document else None
        if document is None or node is None:
            await self._stop(run, "missing")
            return
        if payload.get("reprompt") is not None:
            outcome: Outcome = await self.actions.reprompt(run, str(payload["reprompt"]))
        else:
            outcome = await self.actions.perform(run, node_id, node, document)
        await self._settle(run, outcome, [*visited, node_id])

    async def _settle(self, run: Run, outcome: Outcome, visited: list[str]) -> None:
        """Record what the node did, with the next step's job in the same transaction."""
        if isinstance(outcome, Stop):
            await self._stop(run, outcome.reason)
            return
        if isinstance(outcome, Next) and outcome.node is None:
            await self._finish(run, "done")
            return
        async with self.services.db.begin() as conn:
            if isinstance(outcome, Next):
                await runs.change(conn, run.id, self.now, node=outcome.node)
                await self._enqueue(conn, run.id, run.step, outcome.node, visited)
            elif isinstance(outcome, Wait):
                await runs.change(
                    conn, run.id, self.now, status="waiting", waiting_message_id=outcome.message_id
                )
            else:
                await runs.change(conn, run.id, self.now, status="waiting", node=outcome.node)
                await self._enqueue(conn, run.id, run.step, outcome.node, [], after=outcome.seconds)
        self.services.jobs.notify()

    async def resume(self, run: Run, node_id: str | None, reprompt: str | None = None) -> None:
        """Go on after the visitor answered (see `answer`): the next step's job is written
        with the answer taken (a retried answer job finds nothing waiting)."""
        async with self.services.db.begin() as conn:
            await runs.change(conn, run.id, self.now, status="running", waiting_message_id=None)
            await self._enqueue(conn, run.id, run.step, node_id, [], reprompt=reprompt)
        await self._drive(run.id)

    async def recover(self) -> int:
        """At start-up: runs left "running" with no step job in the queue (an older Porch
        walked steps in memory; a step whose job died) get one, or stop if their job is
        dead. How many were found."""
        async with self.services.db.connect() as conn:
            stuck = await runs.stuck(conn, self.now - STUCK_AFTER)
        for run in stuck:
            async with self.services.db.begin() as conn:
                jobs_of = await runs.step_jobs(conn, [step_key(run.id, run.step), _redo(run)])
                if any(status != "dead" for status in jobs_of):
                    continue
                if not jobs_of:
                    step = max(run.step - 1, 0)
                    await self._enqueue(conn, run.id, step, run.node, [], after=0)
            if jobs_of:
                await self._stop(run, "failed")
        self.services.jobs.notify()
        return len(stuck)

    async def _finish(self, run: Run, status: str) -> None:
        """End the run; one that reached its end (`done`) reached the flow's goal."""
        async with self.services.events.transaction(self.services.db) as unit:
            await runs.change(unit.conn, run.id, self.now, status=status, waiting_message_id=None)
            site_id = await runs.site_of(unit.conn, run.flow_id)
            if status == "done" and site_id is not None:
                current = await runs.get(unit.conn, run.id) or run
                await unit.record(
                    FlowGoalReached(
                        run.id, run.flow_id, site_id, run.visitor_id,
                        current.conversation_id, self.now,
                    )
                )  # fmt: skip

    async def _stop(self, run: Run, reason: str) -> None:
        await self._finish(run, "stopped")
        log.info("flow run %s (flow %s) stopped: %s", run.id, run.flow_id, reason)
        await self.services.events.publish(FlowStopped(run.id, run.flow_id, run.visitor_id, reason))

    # -- answers -----------------------------------------------------------------------

    async def answer(self, message: Message, visitor_id: int) -> None:
        """A visitor's message: the answer to the question or buttons their run waits on
        (a click carries `parts.choice`; typed text answers a question)."""
        async with self.services.db.connect() as conn:
            run = await runs.waiting_for(conn, visitor_id)
        if run is None or run.conversation_id != message.conversation_id:
            return
        document = await self.document(run)
        node = document["nodes"].get(run.node or "") if document else None
        if node is None:
            return
        if node["type"] == "buttons":
            await self._clicked(run, node, message)
        elif node["type"] == "question":
            await self.actions.answered(run, node, message)

    async def _clicked(self, run: Run, node: dict[str, Any], message: Message) -> None:
        choice = (message.parts or {}).get("choice") or {}
        if choice.get("message_id") != run.waiting_message_id:
            if node.get("quick_replies"):  # typed instead: the chips are gone, so is the flow
                await self.resume(run, None)
            return  # typed text while buttons wait: the buttons stay on offer
        for offered in node["choices"]:
            if offered["id"] == choice.get("choice_id"):
                await self.resume(run, offered.get("next", node.get("next")))
                return

    # -- server-side triggers ------------------------------------------------------------

    async def start_matching(
        self,
        visitor_id: int,
        kinds: frozenset[str],
        *,
        body: str | None = None,
        conversation_id: int | None = None,
        interrupt_check: bool = True,
    ) -> Run | None:
        """The highest-priority enabled flow of the visitor's site whose server-side
        trigger is one of `kinds` (and whose keywords `body` says, for `visitor_says`)."""
        facts = await self.facts(visitor_id)
        for flow in await self.store.enabled(facts.site.id):
            trigger = flow.trigger
            if trigger["type"] not in kinds:
                continue
            if trigger["type"] == "visitor_says" and not triggers.matches_keywords(
                trigger, body or ""
            ):
                continue
            if not conditions.all_hold(flow.document.get("conditions", []), facts):
                continue
            return await self.start(
                flow, facts, conversation_id=conversation_id, interrupt_check=interrupt_check
            )
        return None

    async def start_flow(self, run: Run, flow_id: int) -> Run | None:
        """The `start_flow` action: another flow for the same visitor (loops stopped)."""
        target = await self.store.find(flow_id)
        if target is None or not target.enabled:
            return None
        facts = await self.facts(run.visitor_id, run.context)
        chain = tuple(run.context.get("chain") or [run.flow_id])
        return await self.start(target, facts, chain=chain, conversation_id=run.conversation_id)

    def actor(self, facts_site_name: str) -> Actor:
        return Actor.bot(facts_site_name)


_DRIVING: ContextVar[frozenset[int]] = ContextVar("flows_driving", default=frozenset())
"""Runs this task is driving: a step job run from `_drive` leaves the loop to it."""


def step_key(run_id: int, step: int) -> str:
    return f"flow-step:{run_id}:{step}"


def _redo(run: Run) -> str:
    return step_key(run.id, max(run.step - 1, 0))
