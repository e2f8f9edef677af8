"""/operators: the team, with each one's presence (online, away, offline)."""

from __future__ import annotations

from porch import wire
from porch.api.edge import Api, Call, Operation, Reply
from porch.api.errors import not_found
from porch.api.pagination import PageQuery, page
from porch.api.v1.schemas import Operator
from porch.operators.service import Operator as OperatorRecord

TAG = "operators"


def install(api: Api) -> None:
    async def shape(call: Call, operator: OperatorRecord) -> dict[str, object]:
        status = await call.services.presence.operator_status(operator.id)
        return {**wire.operator(operator), "status": status}

    async def list_operators(call: Call) -> Reply:
        q: PageQuery = call.query
        everyone = sorted(await call.services.operators.list(), key=lambda o: -o.id)
        shown = [o for o in everyone if q.before_id is None or o.id < q.before_id]
        items = [await shape(call, o) for o in shown[: q.limit + 1]]
        return page(items, q.limit, len(shown) > q.limit)

    async def get_operator(call: Call) -> Reply:
        operator = await call.services.operators.get(call.ids["operator_id"])
        if operator is None:
            raise not_found("operator")
        return await shape(call, operator)

    api.add(
        Operation("GET", "/operators", list_operators, "List operators with their presence",
                  TAG, query=PageQuery, response=Operator, paged=True),
        Operation("GET", "/operators/{operator_id}", get_operator,
                  "Get an operator with their presence", TAG, response=Operator),
    )  # fmt: skip
