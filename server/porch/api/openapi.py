"""The OpenAPI 3.1 document, built from the operations' declarations: their query and
body models (pydantic) and their reply types (TypedDicts of the wire shapes)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import TypeAdapter

from porch.api.edge import BASE, Operation
from porch.api.errors import CODES

REF = "#/components/schemas/{model}"
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "enum": sorted(set(CODES.values()))},
                "message": {"type": "string"},
                "field": {"type": "string"},
            },
        }
    },
}
_DESCRIPTION = (
    "Porch's REST API. Authenticate with `Authorization: Bearer porch_…` (a key from "
    "Settings → Developers or `porch api-key create`). Lists are pages: `?limit=&cursor=`, "
    'replies `{"data": [...], "meta": {"next_cursor": ...}}`. Errors are '
    '`{"error": {"code", "message", "field"?}}`. See docs/api.md.'
)


class Schemas:
    def __init__(self) -> None:
        self.components: dict[str, Any] = {"Error": ERROR_SCHEMA}

    def ref(self, kind: Any, mode: str) -> dict[str, Any]:
        name = kind.__name__
        if name not in self.components:
            schema = TypeAdapter(kind).json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
            for sub, body in schema.pop("$defs", {}).items():
                self.components.setdefault(sub, body)
            self.components[name] = schema
        return {"$ref": REF.format(model=name)}


def document(operations: list[Operation], server_url: str) -> dict[str, Any]:
    schemas = Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        path = paths.setdefault(BASE + op.path, {})
        path[op.method.lower()] = _operation(op, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Porch API", "version": "1", "description": _DESCRIPTION},
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas.components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _operation(op: Operation, schemas: Schemas) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "operationId": _operation_id(op),
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": [*_path_parameters(op.path), *_query_parameters(op, schemas)],
        "responses": _responses(op, schemas),
    }
    if op.scope == "write":
        spec["description"] = "Needs a write key."
    if op.body is not None:
        spec["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schemas.ref(op.body, "validation")}},
        }
    if op.method == "POST":
        spec["parameters"].append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "maxLength": 200},
                "description": "A retried POST with the same key gets the first reply.",
            }
        )
    return spec


def _operation_id(op: Operation) -> str:
    words = re.sub(r"\{[^}]+\}", "one", op.path).strip("/").replace("-", "_").split("/")
    return op.method.lower() + "_" + "_".join(words)


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        }
        for name in re.findall(r"\{([^}]+)\}", path)
    ]


def _query_parameters(op: Operation, schemas: Schemas) -> list[dict[str, Any]]:
    if op.query is None:
        return []
    schema = op.query.model_json_schema(ref_template=REF)
    for sub, body in schema.pop("$defs", {}).items():
        schemas.components.setdefault(sub, body)
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _responses(op: Operation, schemas: Schemas) -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}}}
    responses: dict[str, Any] = {}
    if op.response is None:
        responses[str(op.status)] = {"description": "Done"}
    else:
        item = schemas.ref(op.response, "serialization")
        body = (
            {
                "type": "object",
                "required": ["data", "meta"],
                "properties": {
                    "data": {"type": "array", "items": item},
                    "meta": schemas.ref(_meta(), "serialization"),
                },
            }
            if op.paged
            else item
        )
        responses[str(op.status)] = {
            "description": "OK",
            "content": {"application/json": {"schema": body}},
        }
    codes = [400, 401, 404, 429] + ([403, 409, 413, 415, 422] if op.scope == "write" else [422])
    for code in sorted(set(codes)):
        responses[str(code)] = {"description": CODES[code], **error}
    return responses


def _meta() -> Any:
    from porch.api.v1.schemas import Meta

    return Meta
