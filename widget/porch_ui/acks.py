"""Reading acks: the server answers an emit with `{"ok": true, ...}` or with
`{"ok": false, "error": {"code", "message", "event"}}` (`porch.realtime.dispatch`).

Pure (no browser imports).
"""


def ok(ack: object) -> bool:
    return isinstance(ack, dict) and bool(ack.get("ok"))


def error_message(ack: object, fallback: str) -> str:
    """The server's reason for refusing, or `fallback` when it gave none."""
    error = ack.get("error") if isinstance(ack, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return message or fallback
