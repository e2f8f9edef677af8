"""What each node does (docs/flows.md, "Actions"). Visible nodes post into the visitor's
conversation as the bot, with the site's name; operational ones go through the feature
that owns the thing (conversations, visitors, tickets), or publish a flow event that the
feature being built elsewhere picks up (hand-over, email, teams: `porch.flows.events`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from porch.actors import Actor
from porch.conversations.events import OperatorTyping
from porch.errors import DomainError
from porch.flows import answers, conditions, runs, webhooks
from porch.flows.events import FlowEmailRequested, FlowHandover, FlowTeamAssignment
from porch.flows.facts import Facts
from porch.flows.models import Run
from porch.flows.outcomes import Next, Outcome, Sleep, Stop, Wait
from porch.jobs.queue import enqueue

if TYPE_CHECKING:
    from porch.conversations.models import Message
    from porch.flows.engine import FlowEngine

SYSTEM = Actor.system("flows")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]{0,99})\}")
VISIBLE = frozenset({"message", "buttons", "question"})


def fill(text: str, facts: Facts) -> str:
    """`{name}`, `{email}` or any contact property put in as plain text: never markup or
    template code (the widget renders text, and nothing here evaluates what it inserts)."""

    def value(match: re.Match[str]) -> str:
        found = conditions.contact_property(facts, match.group(1))
        return "" if found is None else str(found)

    return PLACEHOLDER.sub(value, text)


class Actions:
    def __init__(self, engine: FlowEngine) -> None:
        self.engine = engine
        self.services = engine.services

    async def perform(
        self, run: Run, node_id: str, node: dict[str, Any], document: dict[str, Any]
    ) -> Outcome:
        facts = await self.engine.facts(run.visitor_id, run.context)
        if node["type"] in VISIBLE and await self._operator_in(run):
            return Stop("operator")
        handler = getattr(self, f"_{node['type']}")
        try:
            outcome: Outcome = await handler(run, node_id, node, facts)
        except DomainError as exc:  # a gone conversation or operator: the flow ends
            return Stop(f"{node['type']}: {exc}")
        return outcome

    async def _operator_in(self, run: Run) -> bool:
        async with self.services.db.connect() as conn:
            return await runs.operator_in(conn, run.visitor_id)

    # -- in the widget -----------------------------------------------------------------

    async def _conversation(self, run: Run) -> int:
        """The visitor's open conversation (opened by the flow if they have none)."""
        if run.conversation_id is not None:
            summary = await self.services.conversations.summary(run.conversation_id)
            if summary.conversation.status == "open":
                return run.conversation_id
        summary = await self.services.conversations.start(run.visitor_id, SYSTEM)
        async with self.services.db.begin() as conn:
            await runs.change(
                conn, run.id, self.engine.now, conversation_id=summary.conversation.id
            )
        return summary.conversation.id

    async def _post(
        self, run: Run, facts: Facts, text: str, parts: dict[str, Any] | None = None
    ) -> Message:
        conversation_id = await self._conversation(run)
        return await self.services.conversations.post_message(
            Actor.bot(facts.site.name),
            conversation_id,
            f"flow-{run.id}-{run.step}",  # the claimed step: a repeat posts nothing new
            fill(text, facts),
            parts=parts,
        )

    async def _message(self, run: Run, node_id: str, node: dict[str, Any], f: Facts) -> Outcome:
        typing_ms = node.get("typing_ms", 0)
        if typing_ms and run.context.get("typed") != node_id:
            # "typing…" first, the message after the pause (a job, like any delay).
            conversation_id = await self._conversation(run)
            await self.services.events.publish(
                OperatorTyping(conversation_id, run.visitor_id, f.site.name, True)
            )
            await self._remember(run, typed=node_id)
            return Sleep(typing_ms / 1000, node_id)
        await self._post(run, f, node["text"])
        await self._remember(run, typed=None)
        return Next(node.get("next"))

    async def _buttons(self, run: Run, node_id: str, node: dict[str, Any], f: Facts) -> Outcome:
        parts: dict[str, Any] = {
            "choices": [{"id": c["id"], "label": c["label"]} for c in node["choices"]]
        }
        if node.get("quick_replies"):
            parts["quick_replies"] = True  # chips above the composer, gone once answered
        message = await self._post(run, f, node["text"], parts)
        return Wait(message.id)

    async def _question(self, run: Run, node_id: str, node: dict[str, Any], f: Facts) -> Outcome:
        message = await self._post(run, f, node["text"], {"question": {"input": node["input"]}})
        return Wait(message.id)

    async def answered(self, run: Run, node: dict[str, Any], message: Message) -> None:
        """The visitor's reply to a question: saved to the contact and on to `next`, or
        the question's `invalid_text` and the run keeps waiting."""
        value = answers.checked(node["input"], message.body)
        if value is None:
            problem = node.get("invalid_text") or _INVALID[node["input"]]
            await self.engine.resume(run, run.node, reprompt=problem)
            return
        await self._save(run.visitor_id, node["property"], value)
        await self.engine.resume(run, node.get("next"))

    async def reprompt(self, run: Run, problem: str) -> Outcome:
        """An answer the question refused: say why, and wait for another."""
        facts = await self.engine.facts(run.visitor_id, run.context)
        sent = await self._post(run, facts, problem)
        return Wait(sent.id)

    async def _save(self, visitor_id: int, name: str, value: Any) -> None:
        visitors = self.services.visitors
        if name == "name":
            await visitors.update(visitor_id, name=str(value))
        elif name == "email":
            await visitors.update(visitor_id, email=str(value))
        else:
            await visitors.update(visitor_id, attributes={name: value})

    async def _delay(self, run: Run, node_id: str, node: dict[str, Any], f: Facts) -> Outcome:
        return Sleep(node["seconds"], node.get("next"))

    async def _open_widget(self, run: Run, node_id: str, node: dict[str, Any], f: Facts) -> Outcome:
        # Started from the loader, its reply says so; later, a socket event tells an open
        # widget to show itself (porch.flows.edges).
        await self._remember(run, open_widget=True)
        from porch.realtime.fanout import visitor_room

        await self.services.sio.emit(
            "flow.open", {}, room=visitor_room(run.visitor_id), namespace="/visitor"
        )
        return Next(node.get("next"))

    async def _condition(self, run: Run, node_id: str, node: dict[str, Any], f: Facts) -> Outcome:
        return Next(
            node.get("then") if conditions.branch_holds(node["if"], f) else node.get("else")
        )

    async def _end(self, run: Run, node_id: str, node: dict[str, Any], f: Facts) -> Outcome:
        return Next(None)

    # -- operational -------------------------------------------------------------------

    async def _assign(self, run: Run, node_id: str, node: dict[str, Any], f: Facts) -> Outcome:
        conversation_id = await self._conversation(run)
        if "operator_id" in node:
            await self.services.conversations.assign(conversation_id, node["operator_id"], SYSTEM)
        if "team" in node:
            await self._publish(FlowTeamAssignment(conversation_id, node["team"], SYSTEM))
        return Next(node.get("next"))

    async def _add_tag(self, run: Run, node_id: str, node: dict[str, Any], f: Facts) -> Outcome:
        tags = conditions.tags_of(f)
        if node["tag"] not in tags:
            await self._save(run.visitor_id, conditions.TAGS, ",".join([*tags, node["tag"]]))
        return Next(node.get("next"))

    async def _remove_tag(self, run: Run, node_id: str, node: dict[str, Any], f: Facts) -> Outcome:
        tags = conditions.tags_of(f)
        if node["tag"] in tags:
            kept = [tag for tag in tags if tag != node["tag"]]
            await self._save(run.visitor_id, conditions.TAGS, ",".join(kept))
        return Next(node.get("next"))

    async def _set_property(
        self, run: Run, node_id: str, node: dict[str, Any], f: Facts
    ) -> Outcome:
        await self._save(run.visitor_id, node["property"], node["value"])
        return Next(node.get("next"))

    async def _set_priority(
        self, run: Run, node_id: str, node: dict[str, Any], f: Facts
    ) -> Outcome:
        """The open ticket of the conversation gets it; without one, a later
        `create_ticket` in this run uses it."""
        await self._remember(run, priority=node["priority"])
        ticket_id = await self._ticket_of(run)
        if ticket_id is not None:
            await self._tickets().update(ticket_id, SYSTEM, priority=node["priority"])
        return Next(node.get("next"))

    async def _create_ticket(
        self, run: Run, node_id: str, node: dict[str, Any], f: Facts
    ) -> Outcome:
        if await self._ticket_of(run) is None:
            conversation_id = await self._conversation(run)
            priority = node.get("priority") or run.context.get("priority") or "medium"
            await self._tickets().create_from_conversation(
                conversation_id, SYSTEM, fill(node["subject"], f), priority
            )
        return Next(node.get("next"))

    async def _handover(self, run: Run, node_id: str, node: dict[str, Any], f: Facts) -> Outcome:
        conversation_id = await self._conversation(run)
        await self._publish(FlowHandover(conversation_id, run.visitor_id, node["to"], SYSTEM))
        return Next(node.get("next"))

    async def _send_email(self, run: Run, node_id: str, node: dict[str, Any], f: Facts) -> Outcome:
        to = f.visitor.email if node["to"] == "visitor" else node["to"]
        if to:
            event = FlowEmailRequested(
                f.site.id,
                run.visitor_id,
                run.conversation_id,
                to,
                fill(node["subject"], f),
                fill(node["body"], f),
                SYSTEM,
            )
            await self._publish(event)
        return Next(node.get("next"))

    async def _webhook(self, run: Run, node_id: str, node: dict[str, Any], f: Facts) -> Outcome:
        payload = webhooks.job_payload(run, node_id, node, f)
        async with self.services.db.begin() as conn:
            key = f"flow-webhook:{run.id}:{run.step}"
            await enqueue(conn, webhooks.CALL, payload, key=key, max_attempts=webhooks.MAX_ATTEMPTS)
        self.services.jobs.notify()
        return Next(node.get("next"))

    async def _close_conversation(
        self, run: Run, node_id: str, node: dict[str, Any], f: Facts
    ) -> Outcome:
        if run.conversation_id is not None:
            await self.services.conversations.close(run.conversation_id, SYSTEM)
        return Next(node.get("next"))

    async def _start_flow(self, run: Run, node_id: str, node: dict[str, Any], f: Facts) -> Outcome:
        chain = run.context.get("chain") or []
        if node["flow_id"] in chain:
            return Stop("loop")
        await self.engine.start_flow(run, node["flow_id"])
        return Next(node.get("next"))

    # -- helpers -----------------------------------------------------------------------

    async def _publish(self, event: object) -> None:
        """A seam for another feature: recorded in a transaction, so job subscribers
        (`events.enqueue_on`) get it durably."""
        async with self.services.events.transaction(self.services.db) as unit:
            await unit.record(event)

    async def _remember(self, run: Run, **values: Any) -> None:
        run.context.update(values)
        async with self.services.db.begin() as conn:
            await runs.change(conn, run.id, self.engine.now, context=dict(run.context))

    async def _ticket_of(self, run: Run) -> int | None:
        if run.conversation_id is None:
            return None
        import sqlalchemy as sa

        from porch.tickets.tables import tickets

        query = sa.select(tickets.c.id).where(
            tickets.c.conversation_id == run.conversation_id,
            tickets.c.status.in_(["open", "pending"]),
        )
        async with self.services.db.connect() as conn:
            found: int | None = await conn.scalar(query.limit(1))
        return found

    def _tickets(self) -> Any:
        from porch.tickets.service import TicketService

        return TicketService(
            self.services.db, self.services.events, self.services.clock, self.services.conversations
        )


_INVALID = {
    "text": "Please type an answer.",
    "email": "That doesn't look like an email address. Could you check it?",
    "phone": "That doesn't look like a phone number. Could you check it?",
    "number": "Please answer with a number.",
}
