"""Message bubbles in the open conversation. Bodies are set as text, never as HTML."""

from porch_panel import bot_parts  # noqa: F401  (registers the `sources` part)
from porch_panel.dom import add
from porch_panel.parts import PARTS
from porch_ui.avatars import avatar_src
from porch_ui.clock import clock
from porch_ui.dom import el
from porch_ui.emoji import emoji_only


def message_node(message: dict, pending: bool = False) -> object:
    author = message.get("author") or "system"
    node = el("li", cls="message", data_testid="message", data_author=author)
    if message.get("internal"):
        node.attrs["data-internal"] = "true"
    if pending:
        node.attrs["data-pending"] = "true"
    add(node, _meta_node(message, pending))
    body = str(message.get("body", ""))
    add(node, el("div", body, cls="body emoji" if emoji_only(body) else "body"))
    PARTS.render(node, message)
    _identify(node, message)
    return node


def confirm_node(node: object, message: dict) -> None:
    """A pending bubble of ours became the stored message."""
    del node.attrs["data-pending"]
    node.select_one(".meta").replaceWith(_meta_node(message, False))
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


def _meta_node(message: dict, pending: bool) -> object:
    """Author, note and time; an operator's avatar before them when they have one."""
    meta = el("div", _meta(message, pending), cls="meta")
    src = avatar_src(message)
    if src:
        image = el("img", cls="avatar", alt="", width="20", height="20")
        image.setAttribute("data-testid", "message-avatar")
        image.setAttribute("src", src)
        meta.insertBefore(image, meta.firstChild)
    return meta


def _meta(message: dict, pending: bool) -> str:
    parts = [str(message.get("author_name") or message.get("author") or "")]
    if message.get("internal"):
        parts.append("Internal note")
    parts.append("Sending…" if pending else clock(message.get("created_at")))
    return " · ".join(p for p in parts if p)
