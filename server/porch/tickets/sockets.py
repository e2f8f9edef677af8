"""The ticket events of the `/operator` socket, and their fan-out to operators.

The `/operator` namespace belongs to `porch.realtime`; tickets add their `@handles` events
to it (`EventNamespace.extend`), so they are rate-limited, validated and turned into error
acks exactly like the namespace's own events.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from typing import Any

from porch import wire
from porch.actors import Actor
from porch.canned.service import CannedReplies
from porch.conversations import queries as conversation_queries
from porch.errors import Forbidden, Invalid, NotFound
from porch.operators.service import Operator
from porch.realtime.dispatch import Ack, Routed, handles
from porch.realtime.fanout import OPERATORS, OPERATORS_ROOM
from porch.realtime.operator import OperatorNamespace
from porch.services import Services
from porch.tickets import queries, schemas
from porch.tickets.events import SlaEscalated, SlaEvent, SlaMet, SlaMissed, TicketEvent
from porch.tickets.models import VIEWS, SavedView, Ticket
from porch.tickets.service import UNSET, TicketService


class TicketEvents(Routed):
    """Served by the `/operator` namespace, whose socket tells who the operator is."""

    def __init__(self, sockets: OperatorNamespace, tickets: TicketService) -> None:
        self.sockets = sockets
        self.tickets = tickets

    async def _operator(self, sid: str) -> Operator:
        return await self.sockets.operator(sid)

    async def _actor(self, sid: str) -> Actor:
        return await self.sockets.actor(sid)

    async def _shapes(self, *shown: Ticket) -> list[dict[str, Any]]:
        status = await self.tickets.sla_status(*shown)
        return [wire.ticket(t, status[t.id]) for t in shown]

    async def _one(self, ticket: Ticket) -> dict[str, Any]:
        return {"ok": True, "ticket": (await self._shapes(ticket))[0]}

    @handles("ticket.create", schemas.TicketCreate, limit="operator")
    async def create(self, sid: str, data: schemas.TicketCreate) -> Ack:
        actor = await self._actor(sid)
        fields = {int(key): value for key, value in data.fields.items()}
        if data.template_id is not None:
            ticket = await self.tickets.create_from_template(
                data.template_id, actor, conversation_id=data.conversation_id,
                visitor_id=data.visitor_id,
            )  # fmt: skip
        elif data.conversation_id is not None:
            ticket = await self.tickets.create_from_conversation(
                data.conversation_id, actor, data.subject, data.priority, data.description,
                tags=data.tags, fields=fields,
            )  # fmt: skip
        elif data.visitor_id is not None and data.site_id is not None:
            ticket = await self.tickets.create(
                data.site_id, data.visitor_id, data.subject, data.description, data.priority,
                actor, tags=data.tags, fields=fields,
            )  # fmt: skip
        else:
            raise Invalid("a ticket comes from a conversation, or for a visitor of a site")
        return await self._one(ticket)

    @handles("ticket.get", schemas.TicketRef, limit="operator")
    async def get(self, sid: str, data: schemas.TicketRef) -> Ack:
        ticket = await self.tickets.get(data.ticket_id)
        history = await self.tickets.history(data.ticket_id)
        transcript = await self.tickets.transcript(data.ticket_id)
        values = await self.tickets.field_values(data.ticket_id)
        return {
            **await self._one(ticket),
            "history": [wire.ticket_history(h) for h in history],
            "messages": [wire.message(m) for m in transcript],
            "fields": {str(key): value for key, value in values.items()},
            "suggested_replies": await self._suggested(ticket, await self._operator(sid)),
            **await self._catalog(ticket.site_id),
        }

    async def _suggested(self, ticket: Ticket, operator: Operator) -> list[dict[str, Any]]:
        """The canned replies the ticket's template links, filled for its conversation
        when it has one."""
        wanted = await self.tickets.suggested_reply_ids(ticket.id)
        if not wanted:
            return []
        canned = CannedReplies(self.tickets.db, self.tickets.clock)
        if ticket.conversation_id is not None:
            filled = await canned.for_conversation(ticket.conversation_id, operator.id)
        else:
            filled = [(r, r.body) for r in await canned.replies(ticket.site_id, operator.id)]
        by_id = {reply.id: (reply, text) for reply, text in filled}
        return [
            {"id": i, "shortcut": by_id[i][0].shortcut, "title": by_id[i][0].title,
             "body": by_id[i][1]}
            for i in wanted
            if i in by_id
        ]  # fmt: skip

    async def _catalog(self, site_id: int) -> dict[str, Any]:
        """A site's custom fields, statuses and templates, as the panel shows them."""
        shop = self.tickets.catalog
        return {
            "site_fields": [asdict(f) for f in await shop.fields(site_id)],
            "statuses": [asdict(s) for s in await shop.statuses(site_id)],
            "templates": [
                {"id": t.id, "name": t.name, "priority": t.priority}
                for t in await shop.templates(site_id)
            ],
        }

    @handles("ticket.merge", schemas.TicketMerge, limit="operator")
    async def merge(self, sid: str, data: schemas.TicketMerge) -> Ack:
        into = data.into_id
        if data.into_reference is not None:
            source = await self.tickets.get(data.ticket_id)
            async with self.tickets.db.connect() as conn:
                found = await queries.by_reference(conn, source.site_id, data.into_reference)
            if found is None:
                raise NotFound(f"no ticket #{data.into_reference}")
            into = found.id
        if into is None:
            raise Invalid("merge into a ticket: into_id or into_reference")
        target = await self.tickets.merge(data.ticket_id, into, await self._actor(sid))
        return await self._one(target)

    @handles("ticket.add_conversation", schemas.TicketAddConversation, limit="operator")
    async def add_conversation(self, sid: str, data: schemas.TicketAddConversation) -> Ack:
        actor = await self._actor(sid)
        ticket = await self.tickets.add_conversation(data.ticket_id, data.conversation_id, actor)
        return await self._one(ticket)

    @handles("ticket.fields", schemas.TicketFields, limit="operator")
    async def fields(self, sid: str, data: schemas.TicketFields) -> Ack:
        values = {int(key): value for key, value in data.values.items()}
        ticket = await self.tickets.set_fields(data.ticket_id, await self._actor(sid), values)
        stored = await self.tickets.field_values(ticket.id)
        return {
            **await self._one(ticket),
            "fields": {str(key): value for key, value in stored.items()},
        }

    @handles("tickets.bulk", schemas.TicketsBulk, limit="operator")
    async def bulk(self, sid: str, data: schemas.TicketsBulk) -> Ack:
        given = data.model_fields_set
        changed, failed = await self.tickets.bulk(
            data.ticket_ids,
            await self._actor(sid),
            assignee_id=data.assignee_id if "assignee_id" in given else UNSET,
            status="closed" if data.close else data.status,
            priority=data.priority,
            add_tag=data.add_tag,
            merge_into=data.merge_into,
        )
        return {
            "ok": True,
            "tickets": await self._shapes(*changed),
            "failed": {str(key): reason for key, reason in failed.items()},
        }

    @handles("tickets.requester", schemas.RequesterLookup, limit="operator")
    async def requester(self, sid: str, data: schemas.RequesterLookup) -> Ack:
        async with self.tickets.db.connect() as conn:
            conversation = await conversation_queries.conversation(conn, data.conversation_id)
        if conversation is None:
            raise NotFound(f"no conversation {data.conversation_id}")
        open_tickets = await self.tickets.requester_tickets(conversation.visitor_id)
        return {
            "ok": True,
            "tickets": await self._shapes(*open_tickets),
            **await self._catalog(conversation.site_id),
        }

    @handles("ticket_views.save", schemas.SavedViewSave, limit="operator")
    async def save_view(self, sid: str, data: schemas.SavedViewSave) -> Ack:
        operator = await self._operator(sid)
        raw = data.filters.model_dump(exclude_defaults=True)
        view = await self.tickets.views.save(operator.id, data.name, raw, data.sort, data.shared)
        return {"ok": True, "view": _view(view, 0)}

    @handles("ticket_views.delete", schemas.SavedViewRef, limit="operator")
    async def delete_view(self, sid: str, data: schemas.SavedViewRef) -> Ack:
        await self.tickets.views.delete((await self._operator(sid)).id, data.view_id)
        return {"ok": True}

    @handles("ticket_fields.add", schemas.FieldCreate, limit="operator")
    async def add_field(self, sid: str, data: schemas.FieldCreate) -> Ack:
        await self._admin(sid)
        field = await self.tickets.catalog.add_field(
            data.site_id, data.name, data.kind, data.options
        )
        return {"ok": True, "field": asdict(field)}

    @handles("ticket_statuses.add", schemas.StatusCreate, limit="operator")
    async def add_status(self, sid: str, data: schemas.StatusCreate) -> Ack:
        await self._admin(sid)
        status = await self.tickets.catalog.add_status(data.site_id, data.name, data.maps_to)
        return {"ok": True, "status": asdict(status)}

    @handles("ticket_templates.add", schemas.TemplateDefine, limit="operator")
    async def add_template(self, sid: str, data: schemas.TemplateDefine) -> Ack:
        await self._admin(sid)
        template = await self.tickets.catalog.add_template(
            data.site_id, data.name, data.subject, data.priority, data.tags,
            {int(key): value for key, value in data.fields.items()}, data.note, data.canned,
        )  # fmt: skip
        return {"ok": True, "template": asdict(template)}

    @handles("ticket_catalog.get", schemas.SiteRef, limit="operator")
    async def get_catalog(self, sid: str, data: schemas.SiteRef) -> Ack:
        return {"ok": True, **await self._catalog(data.site_id)}

    async def _admin(self, sid: str) -> None:
        """Only admins define a site's fields, statuses and templates (a demoted admin is
        signed out, so the socket's operator is current)."""
        if not (await self._operator(sid)).is_admin:
            raise Forbidden("only admins define ticket fields, statuses and templates")

    @handles("ticket.update", schemas.TicketUpdate, limit="operator")
    async def update(self, sid: str, data: schemas.TicketUpdate) -> Ack:
        assignee = data.assignee_id if "assignee_id" in data.model_fields_set else UNSET
        ticket = await self.tickets.update(
            data.ticket_id,
            await self._actor(sid),
            status=data.status,
            priority=data.priority,
            assignee_id=assignee,
            tags=data.tags,
            subject=data.subject,
            team_id=data.team_id if "team_id" in data.model_fields_set else UNSET,
        )
        return await self._one(ticket)

    @handles("ticket.note", schemas.TicketNote, limit="operator")
    async def note(self, sid: str, data: schemas.TicketNote) -> Ack:
        entry = await self.tickets.add_note(data.ticket_id, await self._actor(sid), data.body)
        return {"ok": True, "entry": wire.ticket_history(entry)}

    @handles("ticket.reply", schemas.TicketReply, limit="message")
    async def reply(self, sid: str, data: schemas.TicketReply) -> Ack:
        actor = await self._actor(sid)
        message = await self.tickets.reply(data.ticket_id, actor, data.client_id, data.body)
        return {"ok": True, "message": wire.message(message)}

    @handles("tickets.list", schemas.TicketsList, limit="operator")
    async def list(self, sid: str, data: schemas.TicketsList) -> Ack:
        operator = await self._operator(sid)
        saved = await self.tickets.views.visible(operator.id)
        if data.saved_view_id is not None:
            chosen = await self.tickets.views.get(operator.id, data.saved_view_id)
            shown = await self.tickets.views.tickets(operator.id, chosen)
        else:
            shown = await self.tickets.list(data.view, operator.id)
        counts = await self.tickets.views.counts(operator.id, saved)
        return {
            "ok": True,
            "view": data.view,
            "saved_view_id": data.saved_view_id,
            "tickets": await self._shapes(*shown),
            "counts": await self.tickets.counts(operator.id),
            "views": [{"name": name, "title": title} for name, title in VIEWS.items()],
            "saved_views": [_view(view, counts[view.id]) for view in saved],
        }


def _view(view: SavedView, count: int) -> dict[str, Any]:
    return {
        "id": view.id,
        "name": view.name,
        "shared": view.shared,
        "owner_id": view.owner_id,
        "filters": view.filters,
        "sort": view.sort,
        "count": count,
    }


def attach(services: Services, tickets: TicketService) -> None:
    """Route the ticket events on `/operator` and fan ticket facts out to operators."""
    sockets = services.sio.namespace_handlers[OPERATORS]  # installed by porch.realtime
    assert isinstance(sockets, OperatorNamespace)
    sockets.extend(TicketEvents(sockets, tickets))
    for kind in TicketEvent.__subclasses__():
        for fact in (kind, *kind.__subclasses__()):
            if fact not in QUIET:
                services.events.subscribe(fact, partial(ticket_changed, services, tickets))


QUIET = (SlaMet, SlaMissed)
"""Facts for reporting only: the `ticket.updated` published with them shows the change."""


async def ticket_changed(services: Services, tickets: TicketService, event: TicketEvent) -> None:
    """Every operator hears `ticket.updated` (the ticket as it stands, the fact's name and
    actor: the panel refreshes its views and counts); SLA facts also as `sla.warning` /
    `sla.breached`, for the assignee (or, unassigned, the whole team) to see."""
    status = await tickets.sla_status(event.ticket)
    shape = wire.ticket(event.ticket, status[event.ticket.id])
    actor = {"kind": event.actor.kind, "id": event.actor.id, "name": event.actor.name}
    payload = {"ticket": shape, "event": event.name, "actor": actor}
    await services.sio.emit("ticket.updated", payload, room=OPERATORS_ROOM, namespace=OPERATORS)
    if isinstance(event, SlaEvent):
        alert: dict[str, Any] = {
            "ticket": shape,
            "target": event.target,
            "due_at": wire.iso(event.due_at),
        }
        if isinstance(event, SlaEscalated):
            alert["actions"] = list(event.actions)
        await services.sio.emit(event.name, alert, room=OPERATORS_ROOM, namespace=OPERATORS)
