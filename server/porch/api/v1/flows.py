"""/flows: the site's flows (docs/flows.md): list, get with the document, enable or
disable, import an exported document (as a new, disabled flow), export, delete. Documents
are checked by `porch.flows.documents` like the builder's."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints

from porch.api.edge import Api, Call, Operation, Reply
from porch.api.errors import ApiError
from porch.api.pagination import PageQuery, page_in_memory
from porch.api.v1.schemas import Flow as Shape
from porch.api.v1.schemas import FlowWithDocument, Input
from porch.errors import NotFound
from porch.flows.documents import DocumentError
from porch.flows.models import Flow
from porch.flows.store import FlowStore

TAG = "flows"


class FlowsQuery(PageQuery):
    enabled: bool | None = None
    trigger_type: Annotated[str, StringConstraints(max_length=64)] | None = None
    """The trigger's `type` (docs/flows.md), e.g. `time_on_page`."""


class FlowImport(Input):
    document: dict[str, Any]
    """A flow document, as `GET /flows/{id}` or `porch flow export` gives it."""
    enabled: bool = False


class FlowUpdate(Input):
    enabled: bool


def shape(flow: Flow, with_document: bool = False) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "id": flow.id,
        "name": flow.name,
        "enabled": flow.enabled,
        "trigger_type": flow.trigger_type,
        "priority": flow.priority,
        "version": flow.version,
        "template": flow.template,
        "created_at": flow.created_at.isoformat(),
        "updated_at": flow.updated_at.isoformat(),
    }
    if with_document:
        shaped["document"] = flow.document
    return shaped


def install(api: Api) -> None:
    services = api.services
    store = FlowStore(services.db, services.events, services.clock)

    async def site_flow(call: Call) -> Flow:
        found = await store.find(call.ids["flow_id"])
        if found is None or found.site_id != call.site_id:
            raise NotFound("no such flow")
        return found

    async def list_flows(call: Call) -> Reply:
        q: FlowsQuery = call.query
        found = [
            f
            for f in await store.list(call.site_id)
            if (q.enabled is None or f.enabled == q.enabled)
            and (q.trigger_type is None or f.trigger_type == q.trigger_type)
        ]
        return page_in_memory(found, q, shape)

    async def get_flow(call: Call) -> Reply:
        return shape(await site_flow(call), with_document=True)

    async def update_flow(call: Call) -> Reply:
        body: FlowUpdate = call.body
        flow = await site_flow(call)
        return shape(await store.set_enabled(flow.id, body.enabled, call.actor), True)

    async def import_flow(call: Call) -> Reply:
        body: FlowImport = call.body
        try:
            made = await store.create(call.site_id, body.document, call.actor, enabled=body.enabled)
        except DocumentError as exc:
            where = exc.path.removeprefix("$").lstrip(".")
            field = "body.document" + (f".{where}" if where else "")
            raise ApiError(422, exc.problem, field=field) from None
        return shape(made, with_document=True)

    async def delete_flow(call: Call) -> Reply:
        await store.delete((await site_flow(call)).id, call.actor)
        return None

    one = "/flows/{flow_id}"
    api.add(
        Operation("GET", "/flows", list_flows, "List flows", TAG, query=FlowsQuery,
                  response=Shape, paged=True),
        Operation("POST", "/flows", import_flow,
                  "Import a flow document (a new flow, disabled unless `enabled`)", TAG,
                  "write", body=FlowImport, response=FlowWithDocument, status=201),
        Operation("GET", one, get_flow, "Get a flow with its document", TAG,
                  response=FlowWithDocument),
        Operation("PATCH", one, update_flow, "Enable or disable a flow", TAG, "write",
                  body=FlowUpdate, response=FlowWithDocument),
        Operation("DELETE", one, delete_flow, "Delete a flow", TAG, "write", status=204),
    )  # fmt: skip
