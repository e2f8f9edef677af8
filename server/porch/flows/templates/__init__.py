"""Ready-made flows, one JSON document each (docs/flows.md, "Templates")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from porch.errors import NotFound

FOLDER = Path(__file__).parent
NAMES = (
    "welcome-returning-visitor",
    "pricing-page-help",
    "exit-intent-discount",
    "lead-capture",
    "abandoned-cart",
    "out-of-hours",
)


def load(name: str) -> dict[str, Any]:
    """The template's document (a fresh copy)."""
    if name not in NAMES:
        raise NotFound(f"no template {name!r}; templates: {', '.join(NAMES)}")
    document: dict[str, Any] = json.loads((FOLDER / f"{name}.json").read_text(encoding="utf-8"))
    return document
