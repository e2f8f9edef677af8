"""The conversation log: renders messages as text, dedupes them, shows send states."""

from browser import document

from porch_ui.avatars import avatar_src
from porch_ui.clock import clock
from porch_ui.dom import el
from porch_ui.emoji import emoji_only
from porch_widget.i18n import _
from porch_widget.parts import PARTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

AUTHORS = ("visitor", "operator", "bot", "system")
CLOSED_TEXT = _("This conversation was closed. Need anything else? Just write below.")


class MessageList:
    def __init__(self, on_retry: "Callable[[str], None]") -> None:
        self.log = document["porch-log"]
        self.on_retry = on_retry
        self._by_id: dict = {}
        self._by_client_id: dict = {}
        self._conversation_of: dict = {}  # message id → its conversation id
        self._closed = el("p", CLOSED_TEXT, "closed-note", data_testid="porch-closed")
        self._seen = el("span", _("Seen"), "seen", data_testid="porch-seen")

    def clear(self) -> None:
        for node in list(self._by_id.values()) + list(self._by_client_id.values()):
            node.remove()
        self._by_id.clear()
        self._by_client_id.clear()
        self._conversation_of.clear()
        self._closed.remove()

    def start_thread(self, conversation_id: object) -> None:
        """Another conversation is shown now: off with the previous one's messages. The
        visitor's own messages still on their way (or failed) stay, as do any already
        stored in the new conversation (an ack can beat the `conversation` event)."""
        for message_id, node in list(self._by_id.items()):
            if self._conversation_of.get(message_id) != conversation_id:
                node.remove()
                del self._by_id[message_id]
                del self._conversation_of[message_id]
        kept = list(self._by_id.values())
        self._by_client_id = {
            client_id: node
            for client_id, node in self._by_client_id.items()
            if node.getAttribute("data-state") != "sent" or any(node is k for k in kept)
        }
        self._closed.remove()

    def mark_seen(self, conversation_id: object, at: str) -> None:
        """Operators read this conversation up to `at`: "Seen" under the visitor's last
        stored message from before then."""
        last = None
        for message_id, node in self._by_id.items():
            if self._conversation_of.get(message_id) != conversation_id:
                continue
            if (
                node.getAttribute("data-author") == "visitor"
                and (node.getAttribute("data-at") or "") <= at
            ):
                last = node
        if last is not None:
            self._seen.remove()
            last.appendChild(self._seen)

    def has_pending(self) -> bool:
        """A message of the visitor's is shown but not stored yet."""
        return any(n.getAttribute("data-state") == "pending" for n in self._by_client_id.values())

    def set_closed(self, closed: bool) -> None:
        """Say so at the end of the thread when its conversation is closed."""
        if not closed:
            self._closed.remove()
        elif not self._closed.isConnected:
            self._append(self._closed)

    def show(self, message: dict) -> bool:
        """Render a stored message. True only when it is new here: False for a duplicate,
        and for our own pending message, which is confirmed in place."""
        if message.get("id") in self._by_id:
            return False
        node = message_node(message, "sent")
        old = self._by_client_id.get(message.get("client_id"))
        if old is not None:
            old.replaceWith(node)  # our own message coming back: confirm it in place
        else:
            self._append(node)
        self._by_id[message.get("id")] = node
        self._conversation_of[message.get("id")] = message.get("conversation_id")
        if message.get("client_id"):
            self._by_client_id[message["client_id"]] = node
        return old is None

    def show_earlier(self, messages: list) -> None:
        """Older messages of the shown conversation (a conversation resumed after newer
        ones): above everything shown so far, oldest first."""
        anchor = self.log.select_one(".msg")
        for message in messages:
            if message.get("id") in self._by_id:
                continue
            node = message_node(message, "sent")
            if anchor is None:
                self.log.appendChild(node)
            else:
                self.log.insertBefore(node, anchor)
            self._by_id[message.get("id")] = node
            self._conversation_of[message.get("id")] = message.get("conversation_id")
            if message.get("client_id"):
                self._by_client_id.setdefault(message["client_id"], node)

    def show_pending(self, item: dict, name: str) -> None:
        if item["client_id"] in self._by_client_id:
            return
        message = {"author": "visitor", "author_name": name, **item}
        node = message_node(message, "pending")
        self._by_client_id[item["client_id"]] = node
        self._append(node)

    def mark_failed(self, client_id: str, reason: str) -> None:
        node = self._by_client_id.get(client_id)
        if node is None:
            return
        node.setAttribute("data-state", "failed")
        problem = el("div", None, "problem", role="alert")
        problem.appendChild(el("span", reason))
        retry = el("button", _("Retry"), type="button")
        retry.bind("click", lambda _evt: self._retry(client_id))
        problem.appendChild(retry)
        node.appendChild(problem)

    def _retry(self, client_id: str) -> None:
        node = self._by_client_id.get(client_id)
        if node is not None:
            node.setAttribute("data-state", "pending")
            for problem in node.select(".problem"):
                problem.remove()
        self.on_retry(client_id)

    def _append(self, node: object) -> None:
        near_bottom = self.log.scrollHeight - self.log.scrollTop - self.log.clientHeight < 80
        self.log.appendChild(node)
        if near_bottom or node.getAttribute("data-author") == "visitor":
            self.log.scrollTop = self.log.scrollHeight


def message_node(message: dict, state: str) -> object:
    """One message as text (also used for the read-only transcripts of earlier ones)."""
    author = message.get("author") if message.get("author") in AUTHORS else "system"
    node = el("div", None, "msg", data_testid="porch-message", data_author=author)
    node.setAttribute("data-state", state)
    when = message.get("created_at")
    if when and state == "sent":
        node.setAttribute("data-at", when)
    meta = message.get("author_name") or (_("You") if author == "visitor" else "")
    if when:
        meta = f"{meta} · {clock(when)}" if meta else clock(when)
    line = el("div", meta, "meta")
    if author in ("operator", "bot") and message.get("author_name"):
        line.insertBefore(avatar(message["author_name"], avatar_src(message)), line.firstChild)
    node.appendChild(line)
    body = message.get("body", "")
    node.appendChild(el("div", body, "body emoji" if emoji_only(body) else "body"))
    PARTS.render(node, message)
    return node


AVATAR_COLOURS = ("#4338ca", "#0f766e", "#b45309", "#be123c", "#6d28d9", "#1d4ed8", "#15803d")


def avatar(name: str, src: str = "") -> object:
    """The replier's avatar image (`src`), else their initials on a colour of their own
    (decorative either way: the name follows)."""
    if src:
        image = el("img", None, "avatar photo", alt="", data_testid="porch-avatar")
        image.setAttribute("src", src)
        return image
    words = [w for w in name.split() if w]
    letters = "".join(w[0] for w in words[:2]).upper() or "?"
    # Drawn by CSS from the attribute: the message's text stays the name, time and body.
    badge = el("span", None, "avatar", aria_hidden="true", data_testid="porch-avatar")
    badge.setAttribute("data-initials", letters)
    badge.style.background = AVATAR_COLOURS[sum(ord(c) for c in name) % len(AVATAR_COLOURS)]
    return badge
