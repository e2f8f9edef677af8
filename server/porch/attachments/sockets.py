"""`attachments.links` on both sockets: fresh signed URLs for files a person may see.

Messages carry attachment ids, never URLs (those expire); a page asks for links when it
shows a message, and the server answers only for files this visitor or operator may read.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from porch.attachments.http import links
from porch.attachments.models import Uploader
from porch.attachments.service import AttachmentService
from porch.realtime.dispatch import Ack, Routed, handles
from porch.realtime.fanout import OPERATORS
from porch.realtime.operator import OperatorNamespace
from porch.realtime.schemas import Payload
from porch.realtime.visitor import VisitorNamespace
from porch.services import Services

AttachmentId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,32}$")]


class LinksRequest(Payload):
    ids: Annotated[list[AttachmentId], Field(min_length=1, max_length=50)]


class VisitorLinks(Routed):
    def __init__(self, sockets: VisitorNamespace, service: AttachmentService) -> None:
        self.sockets = sockets
        self.service = service

    @handles("attachments.links", LinksRequest, limit="read")
    async def links(self, sid: str, data: LinksRequest) -> Ack:
        viewer = Uploader("visitor", await self.sockets._visitor_id(sid))
        found = await self.service.visible_to(viewer, data.ids)
        services = self.sockets.services
        return {"ok": True, "attachments": [links(services, a) for a in found]}


class OperatorLinks(Routed):
    def __init__(self, sockets: OperatorNamespace, service: AttachmentService) -> None:
        self.sockets = sockets
        self.service = service

    @handles("attachments.links", LinksRequest, limit="operator")
    async def links(self, sid: str, data: LinksRequest) -> Ack:
        viewer = Uploader("operator", (await self.sockets.operator(sid)).id)
        found = await self.service.visible_to(viewer, data.ids)
        services = self.sockets.services
        return {"ok": True, "attachments": [links(services, a) for a in found]}


def attach(services: Services, service: AttachmentService) -> None:
    visitor = services.sio.namespace_handlers["/visitor"]
    operator = services.sio.namespace_handlers[OPERATORS]
    assert isinstance(visitor, VisitorNamespace) and isinstance(operator, OperatorNamespace)
    visitor.extend(VisitorLinks(visitor, service))
    operator.extend(OperatorLinks(operator, service))
