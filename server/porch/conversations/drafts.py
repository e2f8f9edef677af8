"""Visitors' live drafts (typing preview), for operators who open a conversation while
the visitor types. `MemoryDrafts` for one process; `RedisDrafts` when several processes
share Redis (the visitor may type on one process, the operator watch on another).
`porch.app.build_services` picks one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from porch.backplane import Backplane

DRAFT_TTL_SECONDS = 3600
"""Redis forgets a draft nobody touched for this long (a visitor who typed and left)."""


class Drafts(Protocol):
    async def get(self, conversation_id: int) -> str: ...

    async def set(self, conversation_id: int, draft: str) -> None:
        """Keep the draft; a blank one is forgotten."""

    async def forget(self, conversation_id: int) -> None: ...

    async def conversation_ids(self) -> list[int]:
        """Conversations with a draft."""


class MemoryDrafts:
    def __init__(self) -> None:
        self._by_conversation: dict[int, str] = {}

    async def get(self, conversation_id: int) -> str:
        return self._by_conversation.get(conversation_id, "")

    async def set(self, conversation_id: int, draft: str) -> None:
        if draft.strip():
            self._by_conversation[conversation_id] = draft
        else:
            self._by_conversation.pop(conversation_id, None)

    async def forget(self, conversation_id: int) -> None:
        self._by_conversation.pop(conversation_id, None)

    async def conversation_ids(self) -> list[int]:
        return list(self._by_conversation)


class RedisDrafts:
    """`<prefix>draft:<conversation id>` holds the text (expiring after an hour idle);
    `<prefix>drafts` the ids that have one."""

    def __init__(self, backplane: Backplane, ttl: int = DRAFT_TTL_SECONDS) -> None:
        self.backplane = backplane
        self.redis = backplane.redis
        self.ttl = ttl
        self._index = backplane.key("drafts")

    def _key(self, conversation_id: int) -> str:
        return self.backplane.key("draft", conversation_id)

    async def get(self, conversation_id: int) -> str:
        text = await self.redis.get(self._key(conversation_id))
        return str(text) if text else ""

    async def set(self, conversation_id: int, draft: str) -> None:
        if not draft.strip():
            await self.forget(conversation_id)
            return
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key(conversation_id), draft, ex=self.ttl)
            pipe.sadd(self._index, str(conversation_id))
            await pipe.execute()

    async def forget(self, conversation_id: int) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._key(conversation_id))
            pipe.srem(self._index, str(conversation_id))
            await pipe.execute()

    async def conversation_ids(self) -> list[int]:
        ids = sorted(int(i) for i in await self.redis.smembers(self._index))
        if not ids:
            return []
        present = await self.redis.mget([self._key(i) for i in ids])
        expired = [i for i, text in zip(ids, present, strict=True) if text is None]
        if expired:
            await self.redis.srem(self._index, *[str(i) for i in expired])
        return [i for i, text in zip(ids, present, strict=True) if text is not None]
