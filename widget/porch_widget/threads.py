"""Which conversation the widget shows, and the visitor's earlier ones.

A visitor has many conversations over time, at most one open. `hello` names the latest
(`conversation`, with its messages) and lists the others (`earlier`, newest first). A
`conversation` event with another id means another conversation is current now: the shown
one moves to the earlier list and the thread starts afresh.

A new conversation usually starts while the visitor types (the first draft opens it, so
operators see the preview), and emptying the thread under their fingers would be jarring:
the switch waits for the first message in it, or for the visitor to send. It happens at
once when the thread is empty, or when a message of theirs is still on its way.

Pure (no browser imports): unit-tested under CPython.
"""

PREVIEW_LENGTH = 80

SAME = "same"  # still the shown conversation (its status may have changed)
SWITCH = "switch"  # another conversation is current: show a fresh thread
RESUME = "resume"  # an earlier conversation is current again: show its transcript
LATER = "later"  # a new conversation started with nothing in it yet: switch on its first message
ELSEWHERE = "elsewhere"  # a message in an earlier conversation: not for the shown thread

STATUS_LABELS = {"open": "Open", "closed": "Closed"}


class Threads:
    def __init__(self) -> None:
        self.current: dict | None = None  # {"id", "status", "created_at"}
        self.earlier: list = []  # {"id", "status", "created_at", "closed_at", "last_message"}
        self.upcoming: dict | None = None  # a new conversation, shown once it has a message
        self._last: dict | None = None  # the current conversation's latest message

    def reset(self, conversation: "dict | None", earlier: "list | None") -> None:
        """From `hello`: what the server says is current, and the others."""
        self.current = _conversation(conversation)
        self.earlier = [dict(c) for c in earlier or [] if _conversation(c)]
        self.upcoming = None
        self._last = None

    @property
    def closed(self) -> bool:
        return self.current is not None and self.current.get("status") == "closed"

    def ids(self) -> list:
        return [c["id"] for c in self.earlier]

    def find(self, conversation_id: object) -> "dict | None":
        for conversation in self.earlier:
            if conversation["id"] == conversation_id:
                return conversation
        return None

    def follow(self, data: object, sending: bool = False) -> str:
        """A `conversation` event (`sending`: a message of the visitor's is on its way)."""
        conversation = _conversation(data)
        if conversation is None:
            return SAME
        if self.current is None:
            self.current = conversation
            return SAME
        if conversation["id"] == self.current["id"]:
            self.current.update(conversation)
            return SAME
        if self.upcoming is not None and self.upcoming["id"] == conversation["id"]:
            self.upcoming.update(conversation)
        else:
            self.upcoming = conversation
        if sending or self._last is None:
            return self.switch()
        earlier = self.find(conversation["id"])
        if earlier is not None:
            earlier["status"] = conversation["status"]
        return LATER

    def arrived(self, message: dict) -> str:
        """A stored message (from the server, or the ack of one of ours)."""
        conversation_id = message.get("conversation_id")
        if conversation_id is None:
            return SAME
        if self.current is None:
            self.current = {"id": conversation_id, "status": "open"}
        elif conversation_id != self.current["id"]:
            upcoming = self.upcoming is not None and self.upcoming["id"] == conversation_id
            earlier = self.find(conversation_id)
            if earlier is not None and not upcoming:
                if not message.get("internal"):
                    earlier["last_message"] = message
                return ELSEWHERE
            if not upcoming:  # its `conversation` event is still on the way
                self.upcoming = {"id": conversation_id, "status": "open"}
            verdict = self.switch()
            self._note(message)
            return verdict
        self._note(message)
        return SAME

    def sending(self) -> "str | None":
        """The visitor sends: a conversation waiting to be shown is shown now."""
        return self.switch() if self.upcoming is not None else None

    def switch(self) -> str:
        """Make the upcoming conversation current; the shown one joins the earlier ones."""
        conversation, self.upcoming = self.upcoming, None
        if conversation is None:
            return SAME
        if self.current is not None and self.find(self.current["id"]) is None:
            moved = {"closed_at": None, **self.current, "last_message": self._last}
            self.earlier.insert(0, moved)
        self._last = None
        resumed = self.find(conversation["id"])
        if resumed is not None:
            self.earlier.remove(resumed)
            conversation = {**resumed, **conversation}
        self.current = {k: conversation.get(k) for k in ("id", "status", "created_at")}
        return RESUME if resumed is not None else SWITCH

    def _note(self, message: dict) -> None:
        if not message.get("internal"):
            self._last = message


def _conversation(data: object) -> "dict | None":
    if not isinstance(data, dict) or data.get("id") is None:
        return None
    return dict(data)


def status_label(status: object) -> str:
    return STATUS_LABELS.get(status, str(status or "").capitalize())


def last_at(conversation: dict) -> "str | None":
    """When the conversation was last active, as far as the widget knows."""
    last = conversation.get("last_message") or {}
    return last.get("created_at") or conversation.get("closed_at") or conversation.get("created_at")


def preview(message: "dict | None") -> str:
    """One line: who wrote the last message, and its start."""
    if not message:
        return "No messages"
    body = " ".join(str(message.get("body", "")).split())
    if len(body) > PREVIEW_LENGTH:
        body = body[: PREVIEW_LENGTH - 1] + "…"
    author = message.get("author")
    if author == "visitor":
        return f"You: {body}"
    if author in ("operator", "bot") and message.get("author_name"):
        return f"{message['author_name']}: {body}"
    return body
