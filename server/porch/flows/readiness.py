"""Whether a flow may be switched on: its document must pass the schema and the engine's
checks, and what it points at (other flows) must exist on the same site. Each problem is
said in words the owner can act on."""

from __future__ import annotations

import re
from typing import Any

from porch.flows import documents

REQUIRED = re.compile(r"^'([A-Za-z_]+)' is a required property$")


def problems(document: Any, site_flow_ids: set[int]) -> list[str]:
    """Why this document cannot run (empty when it can)."""
    try:
        documents.check(document)
    except documents.DocumentError as exc:
        return [explain(exc)]
    found = []
    for node_id, node in document["nodes"].items():
        if node["type"] == "start_flow" and node["flow_id"] not in site_flow_ids:
            found.append(f"Node {node_id!r} starts flow {node['flow_id']}, which this site lacks.")
    return found


def explain(error: documents.DocumentError) -> str:
    """`$.nodes.ask.text: 'text' is a required property` → words with the place named."""
    where = error.path.removeprefix("$.").removeprefix("$")
    if where.startswith("nodes."):
        node, _, rest = where.removeprefix("nodes.").partition(".")
        place = f"Node {node!r}" + (f" ({rest})" if rest else "")
    elif where:
        place = where.capitalize()
    else:
        place = "The flow"
    problem = REQUIRED.sub(r"\1 is missing", error.problem)
    return f"{place}: {problem}"
