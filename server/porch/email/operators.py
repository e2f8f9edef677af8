"""Mail to operators: a ticket assigned to them, an SLA warning on their ticket (or on an
unassigned one: everyone), each switchable per operator (`email_operator_settings`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.email.render import bodies
from porch.email.tables import email_operator_settings
from porch.operators.tables import operators
from porch.tickets.events import SlaWarning, TicketUpdated

if TYPE_CHECKING:
    from porch.email.service import EmailService

NOTICE = "email.operator"
KINDS = ("assignment", "sla")


async def assigned(conn: AsyncConnection, event: TicketUpdated) -> bool:
    """`only_if` for assignment notices: someone else gave the ticket to an operator."""
    assignee = event.ticket.assignee_id
    return "assignee_id" in event.changes and assignee is not None and event.actor.id != assignee


async def settings(conn: AsyncConnection, operator_id: int) -> dict[str, bool]:
    query = sa.select(email_operator_settings).where(
        email_operator_settings.c.operator_id == operator_id
    )
    row = (await conn.execute(query)).first()
    return {kind: bool(getattr(row, kind)) if row else True for kind in KINDS}


async def save(conn: AsyncConnection, operator_id: int, chosen: dict[str, bool]) -> None:
    await conn.execute(
        email_operator_settings.delete().where(email_operator_settings.c.operator_id == operator_id)
    )
    await conn.execute(email_operator_settings.insert().values(operator_id=operator_id, **chosen))


async def notice(email: EmailService, payload: dict[str, Any]) -> None:
    """An `email.operator` job: the mail for a `ticket.updated` (assignment) or an
    `sla.warning`, to each operator who wants it."""
    data = payload["data"]
    ticket = data["ticket"]
    kind = "sla" if payload["type"] == SlaWarning.name else "assignment"
    site = await email.services.sites.get(int(ticket["site_id"]))
    if site is None or not site.settings.get("support_email"):
        return  # no address to send from
    async with email.db.connect() as conn:
        query = sa.select(operators.c.id, operators.c.email, operators.c.name)
        if ticket["assignee_id"] is not None or kind == "assignment":
            query = query.where(operators.c.id == ticket["assignee_id"])
        recipients = [
            row for row in await conn.execute(query) if (await settings(conn, row.id))[kind]
        ]
    link = f"{email.services.config.base_url}/panel/tickets/{ticket['id']}"
    label = f"#{ticket['reference']}"
    subject = (
        f"[{label}] SLA warning: {data['target'].replace('_', ' ')} due soon"
        if kind == "sla"
        else f"[{label}] Assigned to you: {ticket['subject']}"
    )
    for row in recipients:
        text, html = bodies("operator", {
            "name": row.name, "kind": kind, "label": label, "subject": ticket["subject"],
            "due": data.get("due_at") or "",
            "target": str(data.get("target", "")).replace("_", " "),
            "link": link, "site_name": site.name, "support": site.settings["support_email"],
        })  # fmt: skip
        when = data.get("due_at") or ticket["updated_at"]
        key = f"{payload['type']}:{ticket['id']}:{row.id}:{when}"
        async with email.events.transaction(email.db) as unit:
            unit.staged = await email.queue_once(
                unit.conn, site, "operator", str(row.email), subject, text, html, key
            )
