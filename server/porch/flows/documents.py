"""Flow documents: JSON checked against the schema Porch ships (`flow.schema.json`,
docs/flows.md), then for what a schema cannot say (every `next` names a node, regular
expressions compile). A refusal names the JSON path of the first problem."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from porch.errors import Invalid

SCHEMA_PATH = Path(__file__).with_name("flow.schema.json")
FORMAT = 1
MAX_DOCUMENT_BYTES = 256 * 1024
LINKS = ("next", "then", "else")


class DocumentError(Invalid):
    """A flow document Porch refuses: `path` (`$.nodes.ask.input`) says where."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


def parse(text: str | bytes) -> dict[str, Any]:
    """A document from JSON text (an import), checked."""
    if len(text) > MAX_DOCUMENT_BYTES:
        raise DocumentError("$", f"a flow document is at most {MAX_DOCUMENT_BYTES} bytes")
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DocumentError("$", f"not JSON ({exc})") from None
    return check(document)


def check(document: Any) -> dict[str, Any]:
    """`document` if Porch can run it, else `DocumentError` with the path of the problem."""
    error = best_match(_validator().iter_errors(document), key=_deepest)
    if error is not None:
        raise DocumentError(_path(error.absolute_path), _problem(error))
    _check_links(document)
    _check_patterns(document)
    _check_text(document)
    checked: dict[str, Any] = document
    return checked


def _deepest(error: ValidationError) -> tuple[int, int]:
    """Prefer the error closest to the offending value (a node's field, not the node)."""
    return (-len(error.absolute_path), 0)


def _path(parts: Any) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _problem(error: ValidationError) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown field")
    return str(error.message)


def _check_links(document: dict[str, Any]) -> None:
    nodes: dict[str, Any] = document["nodes"]
    if document["start"] not in nodes:
        raise DocumentError("$.start", f"no node {document['start']!r}")
    for node_id, node in nodes.items():
        for link in LINKS:
            if link in node and node[link] not in nodes:
                raise DocumentError(f"$.nodes.{node_id}.{link}", f"no node {node[link]!r}")
        seen: set[str] = set()
        for index, choice in enumerate(node.get("choices", [])):
            where = f"$.nodes.{node_id}.choices[{index}]"
            if choice["id"] in seen:
                raise DocumentError(f"{where}.id", f"choice {choice['id']!r} appears twice")
            seen.add(choice["id"])
            if "next" in choice and choice["next"] not in nodes:
                raise DocumentError(f"{where}.next", f"no node {choice['next']!r}")


def _check_patterns(document: dict[str, Any]) -> None:
    """Regular expressions must compile here, where the owner can fix them."""
    candidates: list[tuple[str, Any]] = [
        ("$.trigger.page", document["trigger"].get("page")),
        ("$.trigger.referrer", document["trigger"].get("referrer")),
    ]
    for index, condition in enumerate(document.get("conditions", [])):
        candidates.append((f"$.conditions[{index}].page", condition.get("page")))
    for path, match in candidates:
        if match and match["match"] == "regex":
            try:
                re.compile(match["value"])
            except re.error as exc:
                raise DocumentError(f"{path}.value", f"not a regular expression ({exc})") from None


def _check_text(document: dict[str, Any]) -> None:
    """NUL and lone surrogates are refused on every database (porch.text)."""

    def walk(value: Any, path: str) -> None:
        if isinstance(value, str):
            if "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value):
                raise DocumentError(path, "must not contain NUL or lone surrogates")
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")

    walk(document, "$")


def trigger_type(document: dict[str, Any]) -> str:
    kind: str = document["trigger"]["type"]
    return kind


def priority(document: dict[str, Any]) -> int:
    return int(document.get("priority", 50))
