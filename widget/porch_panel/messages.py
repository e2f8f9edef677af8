"""Message bubbles in the open conversation. Bodies are set as text, never as HTML."""

from browser import window

from porch_panel.dom import add, el


def clock(iso: "str | None") -> str:
    """Local hh:mm of an ISO timestamp ("" when absent or unreadable)."""
    if not iso:
        return ""
    date = window.Date.new(iso)
    hours, minutes = date.getHours(), date.getMinutes()
    if hours != hours:  # NaN: unparseable
        return ""
    return f"{int(hours):02d}:{int(minutes):02d}"


def message_node(message: dict, pending: bool = False) -> object:
    author = message.get("author") or "system"
    node = el("li", cls="message", data_testid="message", data_author=author)
    if message.get("internal"):
        node.attrs["data-internal"] = "true"
    if pending:
        node.attrs["data-pending"] = "true"
    add(node, el("div", _meta(message, pending), cls="meta"))
    add(node, el("div", str(message.get("body", "")), cls="body"))
    _identify(node, message)
    return node


def confirm_node(node: object, message: dict) -> None:
    """A pending bubble of ours became the stored message."""
    del node.attrs["data-pending"]
    node.select_one(".meta").text = _meta(message, False)
    _identify(node, message)


def fail_node(node: object, reason: str) -> None:
    node.attrs["data-pending"] = "false"
    node.attrs["data-failed"] = "true"
    add(node, el("div", f"Not sent: {reason}", cls="error", data_testid="message-error"))


def _identify(node: object, message: dict) -> None:
    if message.get("id") is not None:
        node.attrs["data-id"] = str(message["id"])
    if message.get("client_id"):
        node.attrs["data-client-id"] = str(message["client_id"])


def _meta(message: dict, pending: bool) -> str:
    parts = [str(message.get("author_name") or message.get("author") or "")]
    if message.get("internal"):
        parts.append("Internal note")
    parts.append("Sending…" if pending else clock(message.get("created_at")))
    return " · ".join(p for p in parts if p)
