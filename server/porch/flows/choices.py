"""The `choices` message part (docs/flows.md, "The choices part"): buttons and quick
replies offered in a message, `parts={"choices": [{"id": str, "label": str}, …]}`, posted
by flows or the bot. A visitor's click is their next message: its text is the label, its
`parts={"choice": {"message_id": int, "choice_id": str}}`, so operators see the exchange
and whoever offered the buttons reacts by choice id."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.conversations.tables import conversations, messages
from porch.db.engine import Database
from porch.errors import Invalid


async def offered_label(db: Database, visitor_id: int, message_id: int, choice_id: str) -> str:
    """The label of a choice offered to this visitor, in one of their conversations;
    `Invalid` for anything else (another visitor's message, no such choice)."""
    async with db.connect() as conn:
        parts = await _parts(conn, visitor_id, message_id)
    for choice in (parts or {}).get("choices") or []:
        if isinstance(choice, dict) and choice.get("id") == choice_id:
            return str(choice.get("label") or choice_id)
    raise Invalid("choice: not a choice offered in this conversation")


async def _parts(conn: AsyncConnection, visitor_id: int, message_id: int) -> Any:
    query = (
        sa.select(messages.c.parts)
        .join(conversations, conversations.c.id == messages.c.conversation_id)
        .where(messages.c.id == message_id, conversations.c.visitor_id == visitor_id)
        .where(messages.c.internal.is_(False))
    )
    return await conn.scalar(query)


def answer_parts(message_id: int, choice_id: str) -> dict[str, Any]:
    return {"choice": {"message_id": message_id, "choice_id": choice_id}}
