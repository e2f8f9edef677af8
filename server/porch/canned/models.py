"""Canned replies and the placeholders they may hold."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

SHORTCUT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
MAX_TITLE = 100
MAX_BODY = 4000

PLACEHOLDER = re.compile(r"\{\{\s*([a-z]+\.[a-z_]+)\s*\}\}")
PLACEHOLDERS = ("contact.name", "contact.email", "operator.name", "site.name")
"""What a canned reply may say; any other `{{…}}` is left as typed, so the operator sees it
before sending (and nothing is ever evaluated: this is plain substitution)."""


@dataclass(frozen=True)
class CannedReply:
    id: int
    site_id: int
    operator_id: int | None
    """None: shared by every operator of the site; else that operator's own."""
    shortcut: str
    title: str
    body: str
    created_at: datetime
    updated_at: datetime

    @property
    def shared(self) -> bool:
        return self.operator_id is None


def fill(body: str, values: Mapping[str, str | None]) -> str:
    """`body` with each known placeholder replaced by its value (empty when unknown for this
    contact, say no email yet); unknown placeholders stay visible. One pass: a value that
    itself looks like `{{site.name}}` (a visitor may call themselves that) stays as is."""

    def one(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in PLACEHOLDERS:
            return found.group(0)
        return values.get(name) or ""

    return PLACEHOLDER.sub(one, body)
