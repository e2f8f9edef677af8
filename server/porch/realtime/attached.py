"""`message.send` with attachment ids: the files become the message's `attachments` part.

The ids are claimed (checked: uploaded by this visitor or operator, into this
conversation for an operator, not used by another message) before the message is stored;
`porch.attachments` owns the rules, this only bridges the socket to it.
"""

from __future__ import annotations

from typing import Any

from porch.errors import Invalid
from porch.realtime.schemas import OperatorMessageSend, VisitorMessageSend
from porch.services import Services


async def claim_attachments(
    services: Services,
    kind: str,
    person_id: int,
    data: VisitorMessageSend | OperatorMessageSend,
) -> dict[str, Any] | None:
    """The message's parts for its attachment ids (None without any)."""
    if not data.attachments:
        return None
    if services.attachments is None:
        raise Invalid("this server does not take attachments")
    from porch.attachments.models import Uploader

    if isinstance(data, OperatorMessageSend):
        uploader = Uploader("operator", person_id)
        conversation_id, internal = data.conversation_id, data.internal
    else:
        uploader, conversation_id, internal = Uploader("visitor", person_id), None, False
    files = await services.attachments.claim(
        uploader, list(data.attachments), data.client_id, conversation_id, internal
    )
    return {"attachments": files}
