"""Mail a flow asks for (its `send_email` action): sent from the site's support address,
in the visitor's conversation when there is one (a reply continues it), once per request
even if the job runs twice. Without a support address there is no sender: logged, not sent."""

from __future__ import annotations

import hashlib
import html
import logging
from typing import TYPE_CHECKING, Any

from porch.flows.events import FlowEmailRequested

if TYPE_CHECKING:
    from porch.email.service import EmailService
    from porch.services import Services

FLOW_MAIL = "email.flow_mail"
log = logging.getLogger(__name__)


def attach(services: Services, email: EmailService) -> None:
    async def send(payload: dict[str, Any]) -> None:
        await queue_flow_mail(email, payload["data"])

    services.jobs.register(FLOW_MAIL, send)
    services.events.enqueue_on(FlowEmailRequested, FLOW_MAIL)


async def queue_flow_mail(email: EmailService, data: dict[str, Any]) -> bool:
    site = await email.services.sites.get(int(data["site_id"]))
    if site is None or not site.settings.get("support_email"):
        log.warning(
            "a flow's email to %s was not sent: the site has no support address", data["to"]
        )
        return False
    text = str(data["body"])
    markup = "<p>" + html.escape(text).replace("\n", "<br>\n") + "</p>"  # the flow's text, as text
    request = "\n".join(str(data[k]) for k in ("conversation_id", "to", "subject", "body"))
    once = "flow-" + hashlib.sha256(request.encode()).hexdigest()[:24]
    conversation_id = int(data["conversation_id"]) if data.get("conversation_id") else None
    async with email.db.begin() as conn:
        queued = await email.queue_once(
            conn, site, "flow", str(data["to"]), str(data["subject"]), text, markup, once,
            conversation_id=conversation_id,
        )  # fmt: skip
    email.services.jobs.notify()
    return queued
