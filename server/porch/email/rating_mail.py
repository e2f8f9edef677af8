"""A resolved ticket that came by email asks its requester "How did we do?" by mail
(`ticket.rating_requested`, from analytics): five signed links, one per score, to the
rating page (`/rate/<token>`). Sent in the ticket's conversation, once per ticket even
if the job runs twice; without a support address there is no sender: nothing is sent."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from porch.analytics import rating_links
from porch.analytics.ratings import TicketRatingRequested
from porch.email import queries
from porch.email.render import bodies

if TYPE_CHECKING:
    from porch.email.service import EmailService
    from porch.services import Services

RATING_MAIL = "email.rating_mail"
log = logging.getLogger(__name__)


def attach(services: Services, email: EmailService) -> None:
    async def send(payload: dict[str, Any]) -> None:
        await queue_rating_mail(email, payload["data"])

    services.jobs.register(RATING_MAIL, send)
    services.events.enqueue_on(TicketRatingRequested, RATING_MAIL)


async def queue_rating_mail(email: EmailService, data: dict[str, Any]) -> bool:
    from porch.tickets import queries as ticket_queries

    services = email.services
    site = await services.sites.get(int(data["site_id"]))
    if site is None or not site.settings.get("support_email"):
        return False
    conversation_id = int(data["conversation_id"])
    async with email.db.connect() as conn:
        thread = await queries.thread(conn, conversation_id)
        ticket = await ticket_queries.ticket(conn, int(data["ticket_id"]))
    if thread is None or ticket is None:
        return False
    now, secret = services.clock.now(), services.config.secret_key
    base = services.config.base_url
    links = [
        (score, rating_links.url(base, secret, ticket.id, now, score)) for score in range(1, 6)
    ]
    text, html = bodies("rating", {
        "reference": ticket.reference, "subject": ticket.subject, "site_name": site.name,
        "support": site.settings["support_email"], "links": links,
    })  # fmt: skip
    subject = f"How did we do? [#{ticket.reference}]"
    async with email.db.begin() as conn:
        queued = await email.queue_once(
            conn, site, "rating", str(thread.address), subject, text, html,
            f"rating-ticket-{ticket.id}", conversation_id=conversation_id,
        )  # fmt: skip
    services.jobs.notify()
    return queued
