"""The inbox's client-side state: ordering, filtering and message de-duplication.

Pure Python (no browser imports) so it is unit-tested under CPython.
"""

PREVIEW_LENGTH = 90


class InboxList:
    """Conversation summaries for one status filter, newest activity first."""

    def __init__(self, status: str = "open") -> None:
        self.status = status
        self.items: dict = {}

    def replace(self, conversations: list) -> None:
        self.items = {c["id"]: c for c in conversations if c.get("status") == self.status}

    def upsert(self, conversation: dict) -> None:
        """Add or refresh one summary; it leaves the list when its status no longer matches."""
        if conversation.get("status") == self.status:
            self.items[conversation["id"]] = conversation
        else:
            self.items.pop(conversation["id"], None)

    def remove(self, conversation_ids: list) -> None:
        for conversation_id in conversation_ids:
            self.items.pop(conversation_id, None)

    def ordered(self) -> list:
        # Server timestamps are ISO 8601 in UTC, so they sort as strings.
        return sorted(
            self.items.values(),
            key=lambda c: (c.get("last_activity_at") or "", c["id"]),
            reverse=True,
        )


class MessageIndex:
    """Decides what to do with a message that arrives, given what is already shown.

    A message can come twice (our own ack and the room broadcast, or a refetch after a
    reconnect); our own messages are shown first as pending, keyed by client_id.
    """

    NEW = "new"
    CONFIRM = "confirm"  # the stored version of a pending message of ours
    DUPLICATE = "duplicate"

    def __init__(self) -> None:
        self._ids: set = set()
        self._pending: set = set()

    def add_pending(self, client_id: str) -> None:
        self._pending.add(client_id)

    def pending(self) -> list:
        return sorted(self._pending)

    def classify(self, message: dict) -> str:
        if message.get("id") in self._ids:
            return self.DUPLICATE
        self._ids.add(message.get("id"))
        client_id = message.get("client_id")
        if client_id in self._pending:
            self._pending.discard(client_id)
            return self.CONFIRM
        return self.NEW


def preview(message: "dict | None") -> str:
    """One line for the conversation list."""
    if not message:
        return "No messages yet"
    body = " ".join(str(message.get("body", "")).split())
    if len(body) > PREVIEW_LENGTH:
        body = body[: PREVIEW_LENGTH - 1] + "…"
    if message.get("internal"):
        return "Note: " + body
    if message.get("author") == "operator":
        return f"{message.get('author_name') or 'Operator'}: {body}"
    return body


def typing_line(visitor_name: str, draft: str) -> str:
    return f"{visitor_name} is typing: {draft}" if draft else ""


def visitor_order(visitors: list) -> list:
    """Online first, then the most recently seen."""
    return sorted(
        visitors,
        key=lambda v: (bool(v.get("online")), v.get("last_seen_at") or ""),
        reverse=True,
    )
